// The local chat page in real headless Chromium (Debian's package, driven by playwright-core): a caseworker logs
// a routine visit by clicking, and the visit is in the database. Skipped, with a notice, where Chromium is absent.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createInvite } from '../../src/db/invites.js';
import { staff, visits } from '../../src/db/schema.js';
import { message } from '../../src/bot/message.js';
import { haveChromium, useBrowserRig } from './rig.js';
import { desc, eq, like } from 'drizzle-orm';

describe.runIf(haveChromium('browser test'))('local chat in a real browser', () => {
  let app: App;
  let browser: Browser;
  let dir: string;

  useBrowserRig({}, (rig) => ({ app, browser, dir } = rig));

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
    // After saving, the menu follows the receipt, so the receipt is the last bot message but one.
    await expect.poll(() => page.locator('.msg.bot', { hasText: '已保存（ZF-2026-' }).count()).toBe(1);
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请选择要做的事');
    const stored = await app.database.db.select().from(visits).where(like(visits.ref, 'ZF-2026-%'));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sameAsLast).toBe(true);
    // The page says it is the demo, and the README's picture is this moment: `SCREENSHOT=docs/local-chat.png`.
    expect(await page.locator('.msg.note.demo').innerText()).toContain('演示模式');
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
    // Names are shown as text: typing markup echoes it literally, never as an element.
    await page.locator('#text').fill('<b>not bold</b>');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('.msg.me').last().innerText()).toBe('<b>not bold</b>');
    expect(await page.locator('.msg b:has-text("not bold")').count()).toBe(0);
  });

  /** Answers whatever the bot asks (preferring the quickest honest answer) until the newest question matches. */
  async function walkUntil(page: Page, target: (text: string) => boolean): Promise<void> {
    const preferred = ['今天', '入户', '见到本人', '逐项记录', '逐项填写', '正常', '否', '跳过'];
    for (let step = 0; step < 40; step++) {
      const last = page.locator('.msg.bot').last();
      await expect.poll(() => page.locator('.msg.me.pending').count()).toBe(0);
      const text = await last.innerText();
      if (target(text)) return;
      const labels = await last.locator('button').allInnerTexts();
      if (labels.length === 0) {
        await page.locator('#text').fill('无');
        await page.locator('#send').click();
      } else {
        const pick = preferred.find((p) => labels.includes(p)) ?? labels[0]!;
        await last.getByRole('button', { name: pick, exact: true }).first().click();
      }
      await expect.poll(async () => (await page.locator('.msg.bot').last().innerText()) !== text || (await page.locator('.msg.me.pending').count()) > 0).toBe(true);
    }
    throw new Error(`never reached the question; last: ${await page.locator('.msg.bot').last().innerText()}`);
  }

  async function demoPage(name: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 420, height: 860 } });
    await page.goto(`http://127.0.0.1:${app.port}/`);
    await expect.poll(() => page.locator('select#who option').count()).toBe(6);
    const value = await page.locator('select#who option', { hasText: name }).getAttribute('value');
    if ((await page.locator('#title').innerText()) !== name) await page.locator('select#who').selectOption(value!);
    await expect.poll(() => page.locator('#title').innerText()).toBe(name);
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请选择要做的事');
    return page;
  }

  it('delivers a message typed while the previous one is still on its way, in order', async () => {
    const page = await demoPage('李主任');
    let first = true;
    await page.route('**/api/local/send', async (route) => {
      if (first) {
        first = false;
        await new Promise((r) => setTimeout(r, 800));
      }
      await route.continue();
    });
    await page.locator('#text').fill('/help');
    await page.locator('#send').click();
    await page.locator('#text').fill('/menu');
    await page.locator('#send').click();
    // Both answered, in the order typed: the help, then a menu after it (the scheduler may add its own bubbles).
    const helpThenMenu = async () => {
      const bots = await page.locator('.msg.bot').allInnerTexts();
      const help = bots.findIndex((t) => t.includes('/cancel'));
      return help >= 0 && bots.slice(help + 1).some((t) => t.includes('请选择要做的事'));
    };
    await expect.poll(helpThenMenu).toBe(true);
    expect(await page.locator('.msg.me.failed').count()).toBe(0);
    await page.close();
  });

  it('shows a double tap as one tap: one bubble, no "stale button" answer', async () => {
    const page = await demoPage('李主任');
    await page.locator('.msg.bot').last().getByRole('button', { name: '📝 记录走访' }).dblclick();
    await expect.poll(() => page.locator('.msg.me.pending').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await page.locator('.msg.me', { hasText: '📝 记录走访' }).count()).toBe(1);
    expect((await page.locator('.msg').allInnerTexts()).join('\n')).not.toMatch(/已结束的对话|之前的问题|继续填写草稿/);
    await page.locator('#text').fill('/cancel');
    await page.locator('#send').click();
    await page.locator('.msg.bot').last().getByRole('button', { name: '放弃' }).click();
    await page.close();
  });

  it('echoes a tick box with its new state', async () => {
    const page = await demoPage('李主任');
    await page.locator('.msg.bot').last().getByRole('button', { name: '🚨 强制报告' }).click();
    await walkUntil(page, (text) => text.includes('☐'));
    const box = page.locator('.msg.bot').last().locator('button', { hasText: '☐' }).first();
    const label = (await box.innerText()).replace('☐', '').trim();
    await box.click();
    await expect.poll(() => page.locator('.msg.me').last().innerText()).toBe(`☑ ${label}`);
    await expect.poll(() => page.locator('.msg.bot', { hasText: '☑' }).last().locator('button', { hasText: label }).first().innerText()).toBe(`☑ ${label}`);
    await page.locator('#text').fill('/cancel');
    await page.locator('#send').click();
    await page.locator('.msg.bot').last().getByRole('button', { name: '放弃' }).click();
    await page.close();
  });

  it('sends the location and a photo from the pickers at the photo/location step', async () => {
    const context = await browser.newContext({ viewport: { width: 420, height: 860 }, geolocation: { latitude: 23.1291, longitude: 113.2644 }, permissions: ['geolocation'] });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${app.port}/`);
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请选择要做的事');
    await page.locator('.msg.bot').last().getByRole('button', { name: '📝 记录走访' }).click();
    await walkUntil(page, (text) => text.includes('位置或照片'));
    await page.locator('#location').click();
    await expect.poll(() => page.locator('.msg.bot', { hasText: '已收到（共1个）' }).count()).toBe(1);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
    await page.locator('#photo-file').setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.locator('.msg.bot', { hasText: '已收到（共2个）' }).count()).toBe(1);
    expect(await page.locator('.msg.me img.photo').count()).toBe(1);
    await walkUntil(page, (text) => text.includes('请确认'));
    await page.locator('.msg.bot').last().getByRole('button', { name: '✅ 确认提交' }).click();
    await expect.poll(() => page.locator('.msg.bot', { hasText: '已保存' }).count()).toBe(1);
    const [saved] = await app.database.db.select().from(visits).orderBy(desc(visits.id)).limit(1);
    expect(saved!.location).toEqual({ latitude: 23.1291, longitude: 113.2644 });
    expect(saved!.photos).toHaveLength(1);
    const file = join(dir, 'local-photos', saved!.photos[0]!.fileId.replace(/^local:/, ''));
    expect(readFileSync(file).equals(png)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await context.close();
  });

  it('brings back only what is new after switching person, not the whole inbox', async () => {
    const page = await demoPage('赵督导员');
    const [supervisor] = await app.database.db.select({ id: staff.id }).from(staff).where(eq(staff.name, '赵督导员'));
    await app.channels.get('local')!.deliver(`staff:${supervisor!.id}`, message('🚨 第一条提醒 BG-OLD'), 'x1');
    await expect.poll(() => page.locator('.msg.bot', { hasText: 'BG-OLD' }).count(), { timeout: 10_000 }).toBe(1);
    await page.locator('select#who').selectOption({ label: (await page.locator('select#who option', { hasText: '李主任' }).innerText()) });
    await expect.poll(() => page.locator('#title').innerText()).toBe('李主任');
    await app.channels.get('local')!.deliver(`staff:${supervisor!.id}`, message('🚨 第二条提醒 BG-NEW'), 'x2');
    await page.locator('select#who').selectOption({ label: (await page.locator('select#who option', { hasText: '赵督导员' }).innerText()) });
    await expect.poll(() => page.locator('#title').innerText()).toBe('赵督导员');
    await expect.poll(() => page.locator('.msg.bot', { hasText: 'BG-NEW' }).count(), { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(3500);
    expect(await page.locator('.msg.bot', { hasText: 'BG-OLD' }).count()).toBe(0);
    await page.close();
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
