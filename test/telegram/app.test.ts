// The whole service with Telegram on, TELEGRAM_API_ROOT pointing at the fake Bot API server: bound Telegram users
// complete flows by sending messages and pressing buttons, the outbox delivers the report alert through the same
// channel, a supervisor acknowledges it with its button, and the records are in the database exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { channelIdentities, children, outbox, reports, staff, visits } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { loadTranscript, runTranscript } from '../support/transcript.js';
import { TestClock, type DemoWorld } from '../support/world.js';
import { TelegramDriver } from './driver.js';
import { FakeBotApi } from './fakeBotApi.js';
import { WEBHOOK_SECRET, type Mode, type TelegramRig } from './harness.js';

const transcripts = fileURLToPath(new URL('../transcripts/', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('the service with Telegram on', () => {
  let app: App | undefined;
  let fake: FakeBotApi | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await app?.stop();
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    app = fake = dataDir = undefined;
  });

  async function start(mode: Mode) {
    fake = await new FakeBotApi().start();
    dataDir = mkdtempSync(join(tmpdir(), 'cw-tg-app-'));
    const port = await freePort();
    const clock = new TestClock();
    const config = loadConfig({
      PORT: String(port),
      DATA_DIR: dataDir,
      LOCAL_CHAT: '0',
      SEED_DEMO: '1',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ...(mode === 'webhook' ? { TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/tg/hook`, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET } : {}),
    });
    app = await startApp(config, { logger: createLogger('silent'), clock: clock.now, startScheduler: false });
    const db = app.database.db;
    const names = new Map((await db.select({ id: staff.id, name: staff.name }).from(staff)).map((r) => [r.name, r.id]));
    const world: DemoWorld = { staffId: (name) => names.get(name) ?? Number.NaN };
    const f = fake;
    const rig: TelegramRig = {
      fake: f,
      channel: app.channels.get('telegram')!,
      http: app.http,
      mode,
      logs: [],
      deliver: async (update) => (mode === 'webhook' ? f.post(update) : f.enqueue(update).then(() => 200)),
      close: async () => {},
    };
    return { app, db, rig, driver: new TelegramDriver(rig, world, db, clock.now) };
  }

  it('long polling: a mandatory report, its alert delivered by the outbox to the supervisor on Telegram, acknowledged with its button', async () => {
    const { app, db, rig, driver } = await start('polling');
    const health = (await (await fetch(`http://127.0.0.1:${app.port}/healthz`)).json()) as { channels: Record<string, unknown> };
    expect(health.channels.telegram).toBe('up');
    expect(app.channels.get('telegram')!.health()).toMatchObject({ mode: 'polling', state: 'running' });

    const zhao = await driver.user('赵督导员');
    // The transcript's own outbox counts assume the supervisor is reachable on one channel; here they are also on
    // Telegram, so only its conversation turns are replayed and the alert is checked below.
    const turns = loadTranscript(`${transcripts}report-urgent.chat`).filter((t) => t.kind !== 'query');
    await runTranscript(turns, driver, db);
    const [report] = await db.select().from(reports);
    expect(report).toMatchObject({ ref: 'BG-2026-000001', acknowledgedAt: null });

    const sent = await app.scheduler.sender.runOnce();
    expect(sent.sent).toBeGreaterThanOrEqual(1);
    const alert = rig.fake.sentTo(zhao.id).at(-1)!;
    expect(alert.text).toContain('BG-2026-000001');
    const acked = await driver.press('赵督导员', '受理');
    expect(acked.map((m) => m.text).join('\n')).toMatch(/BG-2026-000001/);
    const [after] = await db.select().from(reports).where(eq(reports.id, report!.id));
    const [zhaoStaff] = await db.select({ id: staff.id }).from(staff).where(eq(staff.name, '赵督导员'));
    expect(after!.acknowledgedBy).toBe(zhaoStaff!.id);
    const alerts = await db.select().from(outbox).where(and(eq(outbox.channel, 'telegram'), eq(outbox.chatId, String(zhao.id))));
    // The preliminary alert (danger known) and the full report that follows it, each delivered once.
    expect(alerts.map((a) => `${a.dedupeKey!.split(':')[2]} ${a.status}`)).toEqual(['preliminary sent', 'followUp sent']);
  });

  it('webhook: a routine visit with every update delivered twice, saved once', async () => {
    const { app, db, driver } = await start('webhook');
    const health = (await (await fetch(`http://127.0.0.1:${app.port}/healthz`)).json()) as { channels: Record<string, unknown> };
    expect(health.channels.telegram).toBe('up');
    expect(app.channels.get('telegram')!.health()).toMatchObject({ mode: 'webhook', state: 'running' });
    expect(fake!.webhook).toMatchObject({ url: `http://127.0.0.1:${app.port}/tg/hook`, secret: WEBHOOK_SECRET });
    await runTranscript(loadTranscript(`${transcripts}visit-routine.chat`), driver, db);
  });

  it('a caseworker who binds with /start <code> after the morning’s reminders gets theirs at once, and logs a visit from its 记录 button', async () => {
    const { app, db, rig, driver } = await start('polling');
    const sun = (await db.select({ id: staff.id }).from(staff).where(eq(staff.name, '孙主任')))[0]!.id;
    // 孙主任 is on the roster with a caseload but on no messenger yet when the 09:00 run goes out.
    await db.delete(channelIdentities).where(eq(channelIdentities.staffId, sun));
    await app.scheduler.tick(new Date('2026-11-23T01:00:00Z'));
    expect(await db.select().from(outbox).where(eq(outbox.staffId, sun))).toHaveLength(0);

    const user = await driver.user('孙主任');
    await app.scheduler.sender.runOnce();
    const reminder = rig.fake.sentTo(user.id).at(-1)!;
    expect(reminder.text).toMatch(/^⏰ 走访提醒/);
    const logButtons = reminder.reply_markup!.inline_keyboard.map((row) => row[0]!.text);
    expect(logButtons.length).toBeGreaterThan(0);
    expect(logButtons.every((label) => label.startsWith('记录 '))).toBe(true);
    const child = logButtons[0]!.slice('记录 '.length);

    expect((await driver.press('孙主任', `记录 ${child}`)).map((m) => m.text).join('\n')).toContain('走访方式？');
    await driver.press('孙主任', '入户');
    const seen = await driver.press('孙主任', '见到本人，情况无变化');
    expect(seen.at(-1)!.text).toContain('请确认');
    await driver.press('孙主任', '确认提交');
    const saved = await db.select({ on: visits.visitedOn, name: children.name }).from(visits).innerJoin(children, eq(children.id, visits.childId)).where(and(eq(visits.staffId, sun), eq(visits.visitedOn, '2026-11-23')));
    expect(saved).toEqual([{ on: '2026-11-23', name: child }]);
    // Sent once: a second pass finds nothing more for 孙主任.
    await app.scheduler.sender.runOnce();
    expect(rig.fake.sentTo(user.id).filter((m) => m.text?.startsWith('⏰ 走访提醒'))).toHaveLength(1);
  });
});
