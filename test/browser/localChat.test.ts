// The local chat page in real headless Chromium (Debian's package, driven by playwright-core): a caseworker logs
// a routine visit by clicking, and the visit is in the database. Skipped, with a notice, where Chromium is absent.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createInvite } from '../../src/db/invites.js';
import { visits } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { like } from 'drizzle-orm';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
if (!haveChromium) console.warn(`browser test skipped: no Chromium at ${executablePath} (apt-get install chromium)`);

describe.runIf(haveChromium)('local chat in a real browser', () => {
  let app: App;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-browser-'));
    app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dir }), { logger: createLogger('silent') });
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs a routine visit by clicking buttons', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 860 } });
    await page.goto(`http://127.0.0.1:${app.port}/`);
    await expect.poll(() => page.locator('select#who option').count()).toBe(6);
    await page.getByRole('button', { name: '📝 记录走访' }).click();
    const click = async (name: string) => {
      await page.locator('.msg.bot').last().getByRole('button', { name }).first().click();
    };
    await page.getByRole('button', { name: /胡婷/ }).last().click();
    await click('今天');
    await click('入户');
    await click('见到本人');
    await click('情况无变化');
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请确认');
    await click('✅ 确认提交');
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('已保存（ZF-2026-');
    const stored = await app.database.db.select().from(visits).where(like(visits.ref, 'ZF-2026-%'));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sameAsLast).toBe(true);
    // Names are shown as text: typing markup echoes it literally, never as an element.
    await page.locator('#text').fill('<b>not bold</b>');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('.msg.me').last().innerText()).toBe('<b>not bold</b>');
    expect(await page.locator('.msg b:has-text("not bold")').count()).toBe(0);
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
  });

  it('signs in with an invite code typed into the message box, and out again', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 860 } });
    await page.goto(`http://127.0.0.1:${app.port}/`);
    await expect.poll(() => page.locator('#title').innerText()).toBe('李主任');
    await page.locator('#signout').click();
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请输入管理员给你的邀请码');
    await expect.poll(() => page.locator('.msg.note.demo').count()).toBe(1);
    expect(await page.locator('#text').getAttribute('placeholder')).toBe('输入邀请码');
    const { code } = await createInvite(app.database.db, { role: 'caseworker', areaCode: '990101001002', name: '新来的主任', now: new Date() });
    await page.locator('#text').fill('WRONGCODE');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('邀请码无效');
    await page.locator('#text').fill(code.toLowerCase());
    await page.locator('#send').click();
    await expect.poll(() => page.locator('#title').innerText()).toBe('新来的主任');
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请选择要做的事');
    // Real staff now exist: the demo identities are gone from the page.
    expect(await page.locator('select#who').isVisible()).toBe(false);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'cw_local')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // A reload keeps the session; signing out ends it and shows only the sign-in.
    await page.reload();
    await expect.poll(() => page.locator('#title').innerText()).toBe('新来的主任');
    await page.locator('#signout').click();
    await expect.poll(() => page.locator('.msg.note').last().innerText()).toBe('已退出登录。');
    expect(await page.locator('select#who').isVisible()).toBe(false);
    expect(await page.locator('.msg.note.demo').count()).toBe(0);
  });
});
