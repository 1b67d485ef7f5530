// The sender against the real Telegram channel (grammY) and the fake Bot API enforcing 30 messages a second with
// 429 retry_after: every message arrives once, no one-second window exceeds 30, one chat gets ≤ 1 a second.
// This suite waits for real (the platform's limits are in real time); it sends little, so it takes ~3 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { enqueue } from '../../src/db/outbox.js';
import { OutboxSender } from '../../src/scheduler/sender.js';
import { FakeBotApi } from '../telegram/fakeBotApi.js';
import { startRig, type TelegramRig } from '../telegram/harness.js';
import { logger, outboxRows, testConfig } from './fixture.js';

describe('pacing against the fake Bot API', () => {
  let database: Database;
  let rig: TelegramRig;
  let fake: FakeBotApi;

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    fake = await new FakeBotApi().start();
    rig = await startRig({
      mode: 'polling',
      core: { handle: async () => ({ replies: [], locale: 'zh-CN' }) },
      db: database.db,
      fake,
      start: false,
    });
  });
  afterAll(async () => {
    await rig.close();
    await fake.close();
    await database.close();
  });

  it('stays within 30/s overall and 1/s per chat, honouring 429s, and loses or doubles nothing', async () => {
    fake.rateLimit(30, 1);
    const chats = Array.from({ length: 60 }, (_, i) => 7000 + i);
    for (const id of chats) fake.user(id, `U${id}`);
    const rows = chats.map((id) => ({ kind: 'test', staffId: null, channel: 'telegram' as const, chatId: String(id), message: { text: [{ text: `hello ${id}` }] } }));
    // Three more to one chat: they must be a second apart.
    for (let k = 0; k < 3; k++) rows.push({ ...rows[0]!, message: { text: [{ text: `again ${k}` }] } });
    await enqueue(database.db, rows);
    const sender = new OutboxSender({
      db: database.db,
      config: testConfig({ QUIET_HOURS: '' }),
      logger,
      channels: new Map([['telegram', rig.channel]]),
      clock: () => new Date(),
    });
    const started = Date.now();
    while ((await outboxRows(database.db)).some((r) => r.status === 'pending')) {
      const r = await sender.runOnce();
      if (r.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(Date.now() - started).toBeLessThan(30_000);
    }
    const sends = fake.callsOf('sendMessage');
    const ok = sends.filter((c) => c.status === 200);
    expect(ok).toHaveLength(63);
    for (const id of chats.slice(1)) expect(fake.sentTo(id)).toHaveLength(1);
    const firstChat = ok.filter((c) => String(c.params.chat_id) === String(chats[0])).map((c) => c.at);
    expect(firstChat).toHaveLength(4);
    for (let i = 1; i < firstChat.length; i++) expect(firstChat[i]! - firstChat[i - 1]!).toBeGreaterThanOrEqual(900); // paced 1 s apart at sending; arrival jitter aside
    // Paced, the sender meets almost no 429s (unpaced, half of these 63 would be refused); each one it meets is
    // waited out and the message still arrives exactly once.
    expect(sends.filter((c) => c.status === 429).length).toBeLessThanOrEqual(2);
    expect((await outboxRows(database.db)).every((r) => r.status === 'sent')).toBe(true);
  });
});
