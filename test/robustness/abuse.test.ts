// Abuse: invite-code guessing, oversized and malformed requests at every HTTP endpoint of the whole service (local
// chat, admin, Telegram webhook, Feishu webhooks), a wrong Telegram secret, and a user flooding the bot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, count, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { richToPlain } from '../../src/bot/message.js';
import type { Outcome } from '../../src/bot/outcome.js';
import { adminRequest } from '../../src/admin/remote.js';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { auditLog, channelIdentities, inviteAttempts, processedInbound, staff } from '../../src/db/schema.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { createLogger } from '../../src/logger.js';
import { APP_ID, APP_SECRET, ENCRYPT_KEY, FakeFeishu, VERIFICATION_TOKEN } from '../feishu/fakeFeishu.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { FakeBotApi } from '../telegram/fakeBotApi.js';
import { demoWorld, NOW, TestClock } from '../support/world.js';
import { LocalChatClient } from '../support/localChat.js';
import { freePort } from './support/service.js';

const texts = (o: Outcome) => o.replies.map((r) => richToPlain(r.text)).join('\n');
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** What must never reach a client: a stack frame, a source path, a driver's internals. */
const leak = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d+|ECONN|postgres|drizzle/i;

describe('invite-code guessing', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await demoWorld(database.db);
  }, 60_000);
  afterAll(() => database?.close());

  it('throttles 1,000 guesses from one account after 10, audits every one, and refuses even the right code then', async () => {
    const clock = new TestClock();
    // No flood limit here: the invite throttle alone must hold (the flood limit is tested below).
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows(), clock: clock.now, rateLimit: { burst: 1e6, perSecond: 1e6 } });
    const [area] = await database.db.select({ areaCode: staff.areaCode }).from(staff).where(eq(staff.name, '李主任'));
    const { code } = await createInvite(database.db, { role: 'caseworker', areaCode: area!.areaCode, name: '新社工', now: NOW });
    const user = 'guesser-1';
    const answers: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const guess = i === 500 ? code : Array.from({ length: 8 }, (_, k) => ALPHABET[(i * 7 + k * 13) % ALPHABET.length]).join('');
      const outcome = await core.handle({ channel: 'telegram', id: `guess-${i}`, userId: user, chatId: user, event: { kind: 'text', text: `/start ${guess}` } });
      answers.push(texts(outcome));
    }
    expect(answers.slice(0, 10).every((a) => a.includes('邀请码无效'))).toBe(true);
    expect(answers.slice(10).every((a) => a.includes('尝试次数过多'))).toBe(true);
    const [{ attempts }] = (await database.db.select({ attempts: count() }).from(inviteAttempts).where(eq(inviteAttempts.externalId, user))) as [{ attempts: number }];
    expect(attempts).toBe(10);
    const audited = await database.db.select({ action: auditLog.action, n: count() }).from(auditLog).where(like(auditLog.action, 'invite.%')).groupBy(auditLog.action);
    expect(Object.fromEntries(audited.map((a) => [a.action, a.n]))).toEqual({ 'invite.failed': 10, 'invite.throttled': 990 });
    const bound = await database.db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.externalId, user)));
    expect(bound).toEqual([]);
    // An hour later the account may try again, and the right code works.
    clock.advance(61 * 60_000);
    const later = await core.handle({ channel: 'telegram', id: 'guess-late', userId: user, chatId: user, event: { kind: 'text', text: `/start ${code}` } });
    expect(texts(later)).toContain('新社工');
  }, 120_000);
});

describe('the whole service over HTTP', () => {
  let app: App;
  let base = '';
  let dataDir = '';
  let drop: (() => Promise<void>) | undefined;
  let telegram: FakeBotApi;
  let feishu: FakeFeishu;
  const secret = 'abuse-secret_0123456789';
  const adminToken = 'abuse-admin-token-0123456789abcdef';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cw-abuse-'));
    telegram = await new FakeBotApi().start();
    feishu = await new FakeFeishu().start();
    const port = await freePort();
    let databaseUrl: string | undefined;
    if (serverUrl) {
      const created = await createServerDatabase();
      databaseUrl = created.url;
      drop = created.drop;
    }
    const config = loadConfig({
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      DATA_DIR: dataDir,
      SEED_DEMO: '1',
      PORT: String(port),
      LOCAL_CHAT: '1',
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN: adminToken,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      TELEGRAM_WEBHOOK_SECRET: secret,
      FEISHU_APP_ID: APP_ID,
      FEISHU_APP_SECRET: APP_SECRET,
      FEISHU_DOMAIN: feishu.url,
      FEISHU_MODE: 'webhook',
      FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
      FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    });
    app = await startApp(config, { logger: createLogger('silent'), startScheduler: false });
    base = `http://127.0.0.1:${app.port}`;
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
    await feishu?.close();
    await drop?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });


  /** Headers that get a request past each endpoint's authentication, so the body itself is what is judged. */
  const authFor = (path: string): Record<string, string> =>
    path === '/telegram/webhook' ? { 'x-telegram-bot-api-secret-token': secret } : {};

  async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, text: await res.text() };
  }

  it('answers oversized and malformed bodies at every POST endpoint with 4xx and no stack trace', async () => {
    const table = Reflect.get(app.http, 'routes') as Map<string, { maxBody: number }>;
    const limits = new Map([...table].filter(([k]) => k.startsWith('POST ')).map(([k, v]) => [k.slice(5), v.maxBody]));
    const routes = [...limits.keys()];
    expect(routes).toEqual(expect.arrayContaining(['/api/local/send', '/telegram/webhook', '/feishu/events', '/feishu/cards']));
    // The admin route is on its own socket, not on the public port.
    expect(routes).not.toContain('/admin/run');
    const malformed = ['{"staff": 1, "text": ', 'not json at all', '[]', 'null', '{"update_id": "x"}', '{"staff": -1, "data": {"a": 1}}', JSON.stringify({ staff: 1, text: 'x'.repeat(6000) }), '\u0000\u0001'];
    for (const path of routes) {
      // One byte over the endpoint's own limit.
      const big = await post(path, 'a'.repeat(limits.get(path)! + 1), authFor(path));
      expect(big.status, `${path} oversized`).toBe(413);
      expect(big.text, `${path} oversized`).not.toMatch(leak);
      for (const body of malformed) {
        const r = await post(path, body, authFor(path));
        expect(r.status, `${path} ${JSON.stringify(body.slice(0, 30))} → ${r.status} ${r.text}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${path} ${JSON.stringify(body.slice(0, 30))}`).toBeLessThan(500);
        expect(r.text, `${path} ${JSON.stringify(body.slice(0, 30))}`).not.toMatch(leak);
      }
    }
  }, 60_000);

  it('refuses a Telegram webhook call with a wrong or missing secret (401) and an admin call without its token', async () => {
    const update = JSON.stringify({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, from: { id: 1, is_bot: false, first_name: 'x' }, text: '/start' } });
    for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'wrong' }, { 'x-telegram-bot-api-secret-token': `${secret}x` }] as Record<string, string>[]) {
      const r = await post('/telegram/webhook', update, headers);
      expect(r.status).toBe(401);
      expect(r.text).not.toMatch(leak);
    }
    expect(telegram.callsOf('sendMessage')).toHaveLength(0);
    for (const headers of [{}, { 'x-admin-token': 'guess' }] as Record<string, string>[]) {
      expect((await adminRequest(app.adminSocket, 'POST', '/admin/run', headers, '{"argv":["areas"]}')).status).toBe(401);
    }
    expect((await adminRequest(app.adminSocket, 'POST', '/admin/run', { 'x-admin-token': adminToken }, '{"argv":"areas"}')).status).toBe(400);
  });

  it('slows a user sending 50 messages in a second down instead of writing 50 times', async () => {
    const [row] = await app.database.db.select({ id: staff.id }).from(staff).where(eq(staff.name, '王主任'));
    const started = performance.now();
    const chat = await LocalChatClient.demo(base, row!.id);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => chat.send({ id: `flood-${i}`, text: `第${i}条` }).then((r) => ({ status: r.status, text: JSON.stringify(r.json) }))),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(results.every((r) => r.status === 200)).toBe(true);
    const slowed = results.filter((r) => r.text.includes('发送得太快'));
    const [{ written }] = (await app.database.db.select({ written: count() }).from(processedInbound).where(like(processedInbound.key, 'local:flood-%'))) as [{ written: number }];
    // The bucket holds 20 and refills 5 a second: the rest are told to slow down and never reach the database.
    expect(written).toBeLessThanOrEqual(20 + Math.ceil(5 * seconds));
    expect(slowed.length).toBe(50 - written);
    expect(slowed.length).toBeGreaterThan(0);
  });
});
