// deliver() for the outbox: no auto-retry (the sender paces and retries and must see each 429), and every failure
// mapped to what the sender should do with the row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { message } from '../../src/bot/message.js';
import { telegramLimits } from '../../src/bot/telegram/index.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { FakeBotApi } from './fakeBotApi.js';
import { startRig, TelegramUser, type TelegramRig } from './harness.js';
import { ScriptedCore } from './scriptedCore.js';

let database: Database;
let rig: TelegramRig;
let core: ScriptedCore;
beforeAll(async () => {
  database = await openDatabase({ memory: true });
  core = new ScriptedCore();
  rig = await startRig({ mode: 'webhook', core, db: database.db });
});
afterAll(async () => {
  await rig.close();
  await database.close();
});

const reminder = (name: string) => message(`提醒：${name} 今天到期`, [[{ label: '今天去', data: 'rm.go.1' }, { label: '推迟', data: 'rm.snooze.1' }]]);

describe('deliver()', () => {
  it('sends a message and returns the Telegram message id', async () => {
    const user = rig.fake.user(8001, 'Anna');
    const result = await rig.channel.deliver(String(user.id), reminder('王小明'), 'outbox-1');
    const sent = rig.fake.sentTo(user.id);
    expect(result).toEqual({ ok: true, messageId: String(sent[0]!.message_id) });
    expect(sent[0]!.text).toBe('提醒：王小明 今天到期');
    expect(sent[0]!.reply_markup?.inline_keyboard[0]!.map((b) => b.text)).toEqual(['今天去', '推迟']);
  });

  it('a user who blocked the bot and a chat that does not exist are permanent failures', async () => {
    const user = rig.fake.user(8002, 'Gone');
    rig.fake.block(user.id);
    expect(await rig.channel.deliver(String(user.id), reminder('李芳'), 'outbox-2')).toEqual({
      ok: false,
      permanent: true,
      error: '403 Forbidden: bot was blocked by the user',
    });
    expect(await rig.channel.deliver('99999999', reminder('李芳'), 'outbox-3')).toEqual({
      ok: false,
      permanent: true,
      error: '400 Bad Request: chat not found',
    });
  });

  it('a 429 carries retry_after and a 5xx is temporary; neither is retried inside deliver()', async () => {
    const user = rig.fake.user(8003, 'Busy');
    rig.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    const before = rig.fake.callsOf('sendMessage').length;
    expect(await rig.channel.deliver(String(user.id), reminder('张伟'), 'outbox-4')).toEqual({
      ok: false,
      permanent: false,
      error: '429 Too Many Requests: retry after 7',
      retryAfterMs: 7000,
    });
    rig.fake.failNext('sendMessage', { code: 502, description: 'Bad Gateway' });
    expect(await rig.channel.deliver(String(user.id), reminder('张伟'), 'outbox-5')).toMatchObject({ ok: false, permanent: false });
    expect(rig.fake.callsOf('sendMessage').length - before).toBe(2);
  });

  it('a network failure is temporary', async () => {
    const user = rig.fake.user(8004, 'Far');
    const elsewhere = await new FakeBotApi().start();
    const offline = await startRig({ mode: 'polling', core, db: database.db, fake: elsewhere, start: false });
    await elsewhere.close();
    const result = await offline.channel.deliver(String(user.id), reminder('赵敏'), 'outbox-6');
    expect(result).toMatchObject({ ok: false, permanent: false, error: expect.stringMatching(/^network:/) });
    await offline.http.close();
  });

  it('a button whose data exceeds 64 bytes is refused before sending, permanently', async () => {
    const user = rig.fake.user(8005, 'Anna');
    const before = rig.fake.calls.length;
    const result = await rig.channel.deliver(String(user.id), message('x', [[{ label: '太长', data: `v.${'长'.repeat(30)}` }]]), 'outbox-7');
    expect(result).toMatchObject({ ok: false, permanent: true, error: expect.stringMatching(/1-64 bytes/) });
    expect(rig.fake.calls).toHaveLength(before);
  });

  it('during a reminder burst, 429s come back with retry_after and a sender that honours them delivers each once', async () => {
    rig.fake.rateLimit(10, 1);
    const users = Array.from({ length: 25 }, (_, i) => rig.fake.user(8100 + i, `Worker${i}`));
    let pending = users.map((u, i) => ({ chatId: String(u.id), key: `burst-${i}` }));
    const throttled: number[] = [];
    const started = Date.now();
    while (pending.length > 0) {
      const results = await Promise.all(pending.map((p) => rig.channel.deliver(p.chatId, reminder(p.key), p.key)));
      const retry = pending.filter((_, i) => !results[i]!.ok);
      for (const r of results) if (!r.ok) throttled.push(r.retryAfterMs ?? -1);
      pending = retry;
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(...throttled)));
    }
    expect(throttled.length).toBeGreaterThan(0);
    expect(new Set(throttled)).toEqual(new Set([1000]));
    for (const u of users) expect(rig.fake.sentTo(u.id)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    rig.fake.rateLimit(Infinity);
  });

  it('interactive replies do retry a 429 (auto-retry), so the user still gets the answer', async () => {
    const anna = new TelegramUser(rig, 8200, 'Anna');
    rig.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    expect(await anna.send('你好')).toBe(200);
    expect(anna.newMessages()).toEqual(['收到：你好']);
    const attempts = rig.fake.callsOf('sendMessage').filter((c) => Number(c.params.chat_id) === 8200);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
  });

  it('publishes the safe sending rates for the outbox sender', () => {
    expect(telegramLimits).toEqual({ perSecond: 30, perChatPerSecond: 1 });
  });
});
