// Invites at county scale: the staff list in, a dry run, then codes and a printable sheet whose QR codes — rendered
// by Chromium as they would print, and read back with jsQR — are the links that bind each person; scanning and
// sending binds them; a new sheet revokes the old codes.
import { existsSync, readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import jsQRModule from 'jsqr';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForIdentity } from '../../src/db/actor.js';
import type { Database } from '../../src/db/client.js';
import { redeemInvite } from '../../src/db/invites.js';
import { databaseTargets } from '../support/db.js';
import { adminHarness, fakeBotApi, testAreasCsv } from './harness.js';

// jsqr is CommonJS with an ES-style default export: depending on the loader the default import is the function
// itself or the module object holding it.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = (typeof jsQRModule === 'function' ? jsQRModule : (jsQRModule as { default: unknown }).default) as Decode;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`invite sheet rendering skipped: no Chromium at ${chromiumPath} (apt-get install chromium)`);

/** Every QR code on the page as printed: a screenshot of each code, decoded. */
async function scanSheet(html: string): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    await page.setContent(html, { waitUntil: 'load' });
    const found: string[] = [];
    for (const qr of await page.locator('img.qr').all()) {
      const png = await qr.screenshot();
      // Decode the screenshot's pixels in the page (a canvas), then read the code in Node.
      const scan = await browser.newPage();
      const { width, height, data } = await scan.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const c = canvas.getContext('2d')!;
        c.drawImage(img, 0, 0);
        return { width: img.width, height: img.height, data: Array.from(c.getImageData(0, 0, img.width, img.height).data) };
      }, png.toString('base64'));
      await scan.close();
      found.push(jsQR(Uint8ClampedArray.from(data), width, height)?.data ?? '(unreadable)');
    }
    return found;
  } finally {
    await browser.close();
  }
}

describe.each(databaseTargets())('invite sheets ($name)', (target) => {
  let database: Database;
  let api: Awaited<ReturnType<typeof fakeBotApi>>;
  let admin: ReturnType<typeof adminHarness>;
  const now = new Date('2026-11-23T03:00:00Z');
  beforeAll(async () => {
    database = await target.open();
    api = await fakeBotApi();
    admin = adminHarness(database.db, { now: () => now, env: { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: api.root, FEISHU_APP_ID: 'cli_a1b2c3', FEISHU_APP_SECRET: 's' } });
    await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
  });
  afterAll(async () => {
    await api.close();
    await database.close();
  });

  const staffList = async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('人员');
    sheet.addRow(['姓名', '角色', '地区代码']);
    sheet.addRow(['李梅', '儿童主任', '440103001001']);
    sheet.addRow(['赵敏', '督导员', '440103001']);
    sheet.addRow(['无名', '校长', '440103001']);
    sheet.addRow(['钱多', '儿童主任', '999']);
    return admin.file('人员名单.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()));
  };

  it('shows a dry run first, then writes codes and a sheet whose QR codes are the links that bind each person', async () => {
    const list = await staffList();
    const dry = await admin.run('invite', '--roster', list);
    expect(dry.code).toBe(3);
    expect(dry.out).toContain('第 2 行：新人员 李梅（儿童主任，沙面社区 440103001001）');
    expect(dry.out).toContain('第 3 行：新人员 赵敏（督导员，沙面街道 440103001）');
    expect(dry.out).toContain('第 4 行：拒绝 无名：不认识的角色“校长”（儿童主任/督导员/管理员）');
    expect(dry.out).toContain('第 5 行：拒绝 钱多：地区代码 999 不在地区树中');
    expect(dry.out).toContain('试运行，未写入任何内容：新人员 2，重新发码 0，拒绝 2。');
    expect(await admin.run('invite', '--roster', list, '--apply')).toMatchObject({ code: 2, err: expect.stringContaining('--out') });

    const out = `${admin.dir}/邀请单.html`;
    const applied = await admin.run('invite', '--roster', list, '--apply', '--out', out);
    expect(applied.code).toBe(3);
    expect(applied.out).toContain('已生成 2 个邀请码（新人员 2，重新发码 0；作废旧码 0 个），拒绝 2 行。');
    const html = readFileSync(out, 'utf8');
    for (const text of ['<h2>李梅</h2>', '儿童主任 · 沙面社区 440103001001', '督导员 · 沙面街道 440103001', '有效期至 2026-12-07 11:00', '飞书：扫码打开机器人，发送邀请码']) {
      expect(html).toContain(text);
    }
    const codes = [...html.matchAll(/<b>([A-Z2-9]{8})<\/b>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(2);
    if (haveChromium) {
      expect(applied.out).toContain(`PDF 邀请单已写入 ${admin.dir}/邀请单.pdf`);
      expect(readFileSync(`${admin.dir}/邀请单.pdf`).subarray(0, 5).toString()).toBe('%PDF-');
      const scanned = await scanSheet(html);
      expect(scanned).toEqual([
        `https://t.me/county_caseworker_bot?start=${codes[0]}`,
        'https://applink.feishu.cn/client/bot/open?appId=cli_a1b2c3',
        `https://t.me/county_caseworker_bot?start=${codes[1]}`,
        'https://applink.feishu.cn/client/bot/open?appId=cli_a1b2c3',
      ]);
      // Scanning opens the bot with /start <code>: that binds 李梅's account to her record.
      const start = new URL(scanned[0]!).searchParams.get('start')!;
      const bound = await database.db.transaction((tx) => redeemInvite(tx, { channel: 'telegram', externalId: '5001', chatId: '5001', code: start, now }));
      expect(bound).toMatchObject({ ok: true, name: '李梅' });
      expect(await actorForIdentity(database.db, 'telegram', '5001')).toMatchObject({ role: 'caseworker', areaCode: '440103001001' });
    }
  }, 120_000);

  it('gives people on record a new code that revokes the old one, and revokes on request', async () => {
    const list = await staffList();
    const out = `${admin.dir}/again.html`;
    const first = readFileSync(`${admin.dir}/邀请单.html`, 'utf8');
    const zhaoOld = [...first.matchAll(/<b>([A-Z2-9]{8})<\/b>/g)][1]![1]!;
    const again = await admin.run('invite', '--roster', list, '--apply', '--out', out);
    expect(again.out).toMatch(/第 3 行：重新发码 赵敏（编号 \d+，督导员，沙面街道 440103001）：旧邀请码将作废/);
    expect(again.out).toContain('作废旧码 1 个');
    const redeem = (code: string, externalId: string) =>
      database.db.transaction((tx) => redeemInvite(tx, { channel: 'telegram', externalId, chatId: externalId, code, now }));
    expect(await redeem(zhaoOld, '6001')).toEqual({ ok: false, reason: 'invalid' });
    const zhaoNew = [...readFileSync(out, 'utf8').matchAll(/<b>([A-Z2-9]{8})<\/b>/g)][1]![1]!;
    expect(await admin.run('invite', '--revoke', '赵敏')).toMatchObject({ code: 0, out: expect.stringMatching(/^已作废 赵敏（编号 \d+）的 1 个未使用邀请码。$/) });
    expect(await redeem(zhaoNew, '6002')).toEqual({ ok: false, reason: 'invalid' });
    // A single invite for a known person revokes too.
    const single = await admin.run('invite', '--staff', '赵敏');
    expect(single.out).not.toContain('作废');
    const again2 = await admin.run('invite', '--staff', '赵敏');
    expect(again2.out).toContain('此人之前的 1 个未使用邀请码已作废。');
  }, 120_000);
});
