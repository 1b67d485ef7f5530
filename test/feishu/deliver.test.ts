// Proactive sends (the outbox's deliver) against the fake open platform: idempotency by uuid, Feishu's errors
// mapped to retry / permanent, tenant tokens renewed by the SDK, images uploaded first.
import { describe, expect, it } from 'vitest';
import { feishuLimits } from '../../src/bot/feishu/index.js';
import { message, bold, plain } from '../../src/bot/message.js';
import type { Database } from '../../src/db/client.js';
import { cardButtons, FakeFeishu, visibleText } from './fakeFeishu.js';
import { FakeCore, type Running, startChannel, useFeishuRig } from './harness.js';

const CHAT = 'oc_private_7';
// A 1×1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('Feishu deliver', () => {
  let fake: FakeFeishu;
  let database: Database;
  let app: Running;

  useFeishuRig({}, (rig) => ({ fake, app, database } = rig));

  it('sends once per idempotency key, however often the outbox retries', async () => {
    const reminder = message([plain('走访提醒：'), bold('王小明'), plain(' 今天到期')], [[{ label: '现在记录', data: 'rm.visit.12' }]]);
    const first = await app.channel.deliver(CHAT, reminder, 'outbox-41');
    const second = await app.channel.deliver(CHAT, reminder, 'outbox-41');
    expect(first).toEqual({ ok: true, messageId: expect.stringMatching(/^om_/) });
    expect(second).toEqual(first);
    expect(fake.createCalls).toBe(2);
    expect(fake.chat(CHAT)).toHaveLength(1);
    expect(visibleText(fake.chat(CHAT)[0]!)).toBe('走访提醒：王小明 今天到期');
    expect(cardButtons(fake.chat(CHAT)[0]!)).toEqual([{ label: '现在记录', value: { d: 'rm.visit.12' } }]);
    expect(fake.chat(CHAT)[0]!.uuid).toBe('outbox-41');
  });

  it('maps a rate limit to a retry after the time Feishu asks for, and the next try succeeds', async () => {
    fake.failNextSends.push({ status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '3' } });
    const limited = await app.channel.deliver(CHAT, message('digest'), 'outbox-1');
    expect(limited).toMatchObject({ ok: false, permanent: false, retryAfterMs: 3000 });
    expect(await app.channel.deliver(CHAT, message('digest'), 'outbox-1')).toMatchObject({ ok: true });
    // The older form of the same limit: HTTP 400 with the code.
    fake.failNextSends.push({ status: 400, body: { code: 99991400, msg: 'request trigger frequency limit' } });
    expect(await app.channel.deliver(CHAT, message('x'), 'outbox-2')).toMatchObject({ ok: false, permanent: false, retryAfterMs: 1000 });
  });

  it('a chat the bot cannot reach is permanent; a server error or an unreachable Feishu is retried', async () => {
    fake.unreachable.add('oc_left');
    expect(await app.channel.deliver('oc_left', message('hi'), 'outbox-3')).toMatchObject({ ok: false, permanent: true });
    fake.failNextSends.push({ status: 400, body: { code: 230013, msg: 'Bot has NO availability to this user.' } });
    expect(await app.channel.deliver(CHAT, message('hi'), 'outbox-4')).toMatchObject({ ok: false, permanent: true });
    fake.failNextSends.push({ status: 500, body: { code: 1500, msg: 'internal error' } });
    expect(await app.channel.deliver(CHAT, message('hi'), 'outbox-5')).toMatchObject({ ok: false, permanent: false });
    await fake.close();
    expect(await app.channel.deliver(CHAT, message('hi'), 'outbox-6')).toMatchObject({ ok: false, permanent: false });
  });

  it('sends to a user by open_id when that is all the binding knows', async () => {
    expect(await app.channel.deliver('ou_user_5', message('hi'), 'outbox-7')).toMatchObject({ ok: true });
    expect(fake.chat('ou_user_5')[0]!.receiveIdType).toBe('open_id');
  });

  it('leaves the tenant token to the SDK: fetched once, renewed when it nears expiry or is revoked', async () => {
    await app.channel.deliver(CHAT, message('a'), 'k-a');
    await app.channel.deliver(CHAT, message('b'), 'k-b');
    expect(fake.tokensIssued).toBe(1);

    // The SDK renews three minutes before expiry: a token valid for 181 s is reused for one second only.
    await app.close();
    fake.tokenTtlSeconds = 181;
    app = await startChannel({ fake, core: new FakeCore(), db: database.db });
    await app.channel.deliver(CHAT, message('c'), 'k-c');
    const issued = fake.tokensIssued;
    await new Promise((r) => setTimeout(r, 1100));
    await app.channel.deliver(CHAT, message('d'), 'k-d');
    expect(fake.tokensIssued).toBe(issued + 1);

    // Revoked early (app secret reset): the send fails once, and the next one gets a fresh token.
    fake.tokenTtlSeconds = 7200;
    fake.failNextSends.push({ status: 400, body: { code: 99991663, msg: 'Invalid access token' } });
    expect(await app.channel.deliver(CHAT, message('e'), 'k-e')).toMatchObject({ ok: false, permanent: false });
    await app.channel.deliver(CHAT, message('f'), 'k-f');
    expect(fake.tokensIssued).toBe(issued + 2);
  });

  it('uploads a chart first and sends it inside the card', async () => {
    const digest = { text: [plain('本周逾期：3')], image: { pngBase64: PNG, alt: '逾期趋势' } };
    expect(await app.channel.deliver(CHAT, digest, 'outbox-9')).toMatchObject({ ok: true });
    const sent = fake.chat(CHAT)[0]!;
    expect(sent.msgType).toBe('interactive');
    const img = (sent.content as { elements: { tag: string; img_key?: string }[] }).elements.find((e) => e.tag === 'img');
    expect(img?.img_key).toBe(fake.images[0]);
  });

  it('splits a message larger than Feishu accepts at line breaks, keeping the buttons on the last part', async () => {
    const line = '王小明 · 逾期5天 · 东风镇柳树村 · 农村留守儿童、困境儿童 · 🟠 橙色';
    const long = message([bold('逾期名单'), plain('\n' + Array.from({ length: 600 }, (_, i) => `${i + 1}. ${line}`).join('\n'))], [[{ label: '查看', data: 'd.1' }]]);
    const result = await app.channel.deliver(CHAT, long, 'outbox-big');
    expect(result.ok).toBe(true);
    const parts = fake.chat(CHAT);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map(visibleText).join('\n')).toBe(['逾期名单', ...Array.from({ length: 600 }, (_, i) => `${i + 1}. ${line}`)].join('\n'));
    expect(parts.slice(0, -1).every((p) => cardButtons(p).length === 0)).toBe(true);
    expect(cardButtons(parts.at(-1)!)).toEqual([{ label: '查看', value: { d: 'd.1' } }]);
    // Retried by the outbox: nothing shown twice.
    await app.channel.deliver(CHAT, long, 'outbox-big');
    expect(fake.chat(CHAT)).toHaveLength(parts.length);
  });

  it('publishes Feishu’s sending limits for the scheduler', () => {
    expect(feishuLimits).toEqual({ perSecond: 50, perMinute: 1000, perChatPerSecond: 5 });
  });
});
