// The long connection: the real WSClient fetches its endpoint from the fake platform, speaks protobuf frames over
// a real WebSocket, and its events reach the very handler the webhook uses — same Inbound, same answer.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Inbound } from '../../src/bot/inbound.js';
import type { Database } from '../../src/db/client.js';
import { encryptLark } from '../../src/bot/feishu/crypto.js';
import { cardButtons, ENCRYPT_KEY, FakeFeishu, visibleText } from './fakeFeishu.js';
import { eventually, FakeCore, type Running, startChannel, useFeishuRig } from './harness.js';

const USER = 'ou_caseworker_ws';
const CHAT = 'oc_private_ws';

describe('Feishu long connection', () => {
  let fake: FakeFeishu;
  let database: Database;
  let core: FakeCore;
  let app: Running;

  useFeishuRig(
    { mode: 'ws', wsPingTimeoutSeconds: 1, prepare: (f) => (f.pingIntervalSeconds = 1) },
    (rig) => ({ fake, core, app, database } = rig),
  );
  beforeEach(async () => {
    await eventually(() => app.channel.health().state === 'connected');
  });

  it('connects through the endpoint the platform hands out and reports it in /healthz', async () => {
    expect(fake.wsEndpointCalls).toBe(1);
    expect(fake.connectedSockets).toBe(1);
    expect(app.channel.health()).toMatchObject({ mode: 'ws', state: 'connected' });
    // No webhook routes in this mode.
    const res = await fetch(app.eventsUrl, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });

  it('a message and a card click over the socket go through the same handler as the webhook', async () => {
    const answer = await fake.pushWs(fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'ask' } }));
    expect(answer.code).toBe(200);
    const card = await eventually(() => fake.chat(CHAT)[0]);
    expect(cardButtons(card).map((b) => b.label)).toEqual(['Yes', 'No']);

    const click = await fake.click('', card, 'Yes', { transport: 'ws' });
    expect(click.status).toBe(200);
    expect(visibleText(card)).toBe('Question 1? Yes');
    expect(visibleText(await eventually(() => fake.chat(CHAT)[1]))).toBe('saved: yes');
    expect(app.channel.events.handled).toMatchObject({ messages: 1, cardActions: 1 });
  });

  it('opens an event that arrives encrypted over the socket with the encrypt key', async () => {
    const event = fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'sealed' } });
    const answer = await fake.pushWs({ encrypt: encryptLark(JSON.stringify(event), ENCRYPT_KEY) });
    expect(answer.code).toBe(200);
    expect(core.inbounds.map((i) => i.event)).toEqual([{ kind: 'text', text: 'sealed' }]);
  });

  it('the same event through either transport becomes the identical Inbound', async () => {
    const event = fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'same' }, userAgent: 'Lark/7.1 LarkLocale/zh_CN' });
    await fake.pushWs(event);

    const webhookCore = new FakeCore();
    const webhookApp = await startChannel({ fake, core: webhookCore, db: database.db, mode: 'webhook' });
    try {
      expect((await fake.sendWebhook(webhookApp.eventsUrl, event)).status).toBe(200);
      await webhookApp.channel.events.idle();
    } finally {
      await webhookApp.close();
    }
    const viaWs: Inbound | undefined = core.inbounds[0];
    expect(viaWs).toMatchObject({ id: (event.header as { event_id: string }).event_id, languageHint: 'zh-CN' });
    expect(webhookCore.inbounds).toEqual([viaWs]);
    // Same ids for the replies too: Feishu's uuid shows the second send as the first.
    await app.channel.events.idle();
    expect(fake.chat(CHAT)).toHaveLength(1);
  });

  it('notices a connection that stopped answering pings, and replaces it', async () => {
    fake.silent = true;
    await eventually(() => fake.wsEndpointCalls >= 2, 10_000);
    fake.silent = false;
    await eventually(() => app.channel.health().state === 'connected' && fake.connectedSockets === 1, 10_000);
    const answer = await fake.pushWs(fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'still here' } }));
    expect(answer.code).toBe(200);
  });

  it('notices a dropped connection, says so, and reconnects', async () => {
    fake.endpointBusy = true;
    fake.dropConnections();
    await eventually(() => fake.wsEndpointCalls >= 2);
    expect(app.channel.health()).toMatchObject({ mode: 'ws', state: 'reconnecting' });
    fake.endpointBusy = false;
    await eventually(() => app.channel.health().state === 'connected' && fake.connectedSockets === 1, 10_000);
    const answer = await fake.pushWs(fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'after' } }));
    expect(answer.code).toBe(200);
    expect(core.inbounds.at(-1)?.event).toEqual({ kind: 'text', text: 'after' });
  });
});
