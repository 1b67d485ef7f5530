// The database goes away while Feishu users are mid-conversation (a TCP proxy in front of the real server is cut):
// a message is answered 503 so Feishu delivers it again, a card tap gets the retry text as a toast and keeps its
// buttons; once the database is back, Feishu's redelivery goes through exactly once.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { processedInbound } from '../../src/db/schema.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { createLogger } from '../../src/logger.js';
import { TcpProxy } from '../robustness/support/tcpProxy.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { demoWorld } from '../support/world.js';
import { FeishuDriver } from './driver.js';
import { cardButtons, FakeFeishu, visibleText } from './fakeFeishu.js';
import { startChannel, type Running } from './harness.js';

describe.runIf(serverUrl)('Feishu during a database outage (real PostgreSQL behind a TCP proxy)', () => {
  let drop: () => Promise<void>;
  let proxy: TcpProxy;
  let database: Database;
  let fake: FakeFeishu;
  let app: Running;
  let driver: FeishuDriver;

  beforeAll(async () => {
    const created = await createServerDatabase();
    drop = created.drop;
    const target = new URL(created.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(created.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    database = await openDatabase({ databaseUrl: viaProxy.toString(), poolSize: 2 });
    const world = await demoWorld(database.db, new Date());
    const logger = createLogger('silent');
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger, flows: defaultFlows(), rateLimit: { burst: 1e6, perSecond: 1e6 } });
    fake = await new FakeFeishu().start();
    app = await startChannel({ fake, core, db: database.db });
    driver = new FeishuDriver(fake, app, world, database.db, () => new Date());
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await database?.close().catch(() => {});
    await proxy?.close();
    await drop?.();
  });

  it('asks Feishu to redeliver, tells the tapper to retry, and then processes the redelivery once', async () => {
    const li = await driver.user('李主任');
    await driver.say('李主任', '/visit');
    const card = fake.chat(li.chatId).at(-1)!;
    const child = cardButtons(card).find((b) => b.label.includes('胡婷'))!;
    const shown = fake.chat(li.chatId).length;

    await proxy.cutOff();
    const tap = await fake.sendWebhook(app.cardsUrl, fake.cardActionEvent({ openId: li.openId, chatId: li.chatId, messageId: card.messageId, value: child.value }));
    expect(tap.status).toBe(200);
    expect(tap.body).toEqual({ toast: { type: 'error', content: expect.stringMatching(/稍后/) } });
    expect(cardButtons(card).length).toBeGreaterThan(0);
    const help = fake.messageEvent({ openId: li.openId, chatId: li.chatId, content: { text: '/help' } });
    expect((await fake.sendWebhook(app.eventsUrl, help)).status).toBe(503);
    await app.channel.events.idle();
    expect(fake.chat(li.chatId)).toHaveLength(shown);

    await proxy.restore();
    expect((await fake.sendWebhook(app.eventsUrl, help)).status).toBe(200);
    expect((await fake.sendWebhook(app.eventsUrl, help)).status).toBe(200);
    await app.channel.events.idle();
    expect(fake.chat(li.chatId)).toHaveLength(shown + 1);
    const key = `feishu:${(help.header as { event_id: string }).event_id}`;
    expect(await database.db.select().from(processedInbound).where(eq(processedInbound.key, key))).toHaveLength(1);

    // The user taps again: the card becomes the record and the visit goes on.
    const again = await driver.press('李主任', '胡婷');
    expect(visibleText(card)).toMatch(/胡婷/);
    expect(again.map((m) => m.text).join('\n')).toMatch(/走访日期/);
  });
});
