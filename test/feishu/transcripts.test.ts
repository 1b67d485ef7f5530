// Every conversation of the transcript suite, through Feishu: real core, the webhook transport, and one database —
// the real PostgreSQL server when TEST_DATABASE_URL is set, else PGlite (the core's own transcript suite already
// runs on both; here the point is the channel).
import { readdirSync } from 'node:fs';
import { count } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { conversations } from '../../src/db/schema.js';
import { databaseTargets } from '../support/db.js';
import { loadTranscript, runTranscript } from '../support/transcript.js';
import { demoWorld, TestClock } from '../support/world.js';
import { FeishuDriver } from './driver.js';
import { APP_ID, cardButtons, FakeFeishu, VERIFICATION_TOKEN, visibleText } from './fakeFeishu.js';
import { eventually, startChannel, type Running } from './harness.js';
import { testCore } from '../support/core.js';

const dir = fileURLToPath(new URL('../transcripts/', import.meta.url));
const allFiles = readdirSync(dir).filter((f) => f.endsWith('.chat')).sort();
const target = databaseTargets().at(-1)!;
// On the real server every transcript runs; PGlite (no TEST_DATABASE_URL) is slow to seed, so there a status check
// stands for the rest, beside the visit and the report below that run on both.
const files = target.name === 'postgres' ? allFiles : allFiles.filter((f) => f === 'status-and-visit.chat');
const roundTrips: number[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe(`Feishu transcripts on ${target.name}`, () => {
  let database: Database | undefined;
  let fake: FakeFeishu | undefined;
  let app: Running | undefined;
  afterEach(async () => {
    await app?.close();
    await fake?.close();
    await database?.close();
    app = undefined;
    fake = undefined;
    database = undefined;
  });
  afterAll(() => {
    if (roundTrips.length === 0) return;
    const sorted = [...roundTrips].sort((a, b) => a - b);
    console.log(
      `feishu webhook round trip on ${target.name}: n=${sorted.length} median=${percentile(sorted, 50).toFixed(1)}ms p95=${percentile(sorted, 95).toFixed(1)}ms`,
    );
    roundTrips.length = 0;
  });

  async function setup(mode: 'webhook' | 'ws' = 'webhook') {
    database = await target.open();
    const world = await demoWorld(database.db);
    const clock = new TestClock();
    const core = testCore(database.db, { clock: clock.now });
    fake = await new FakeFeishu().start();
    app = await startChannel({ fake, core, db: database.db, mode });
    if (mode === 'ws') await eventually(() => app!.channel.health().state === 'connected');
    return { world, clock, driver: (replayEach = false) => new FeishuDriver(fake!, app!, world, database!.db, clock.now, { replayEach, transport: mode }) };
  }

  it.each(files)('%s', async (file) => {
    const { driver: make, clock } = await setup();
    const driver = make();
    await runTranscript(loadTranscript(dir + file), driver, database!.db, clock);
    roundTrips.push(...driver.roundTripsMs);
  });

  // Feishu redelivers what it thinks was not answered; every message and click delivered twice changes nothing.
  it.each(['visit-routine.chat', 'report-urgent.chat'])('%s with every event delivered twice', async (file) => {
    const { driver: make, clock } = await setup();
    await runTranscript(loadTranscript(dir + file), make(true), database!.db, clock);
  });

  // The long connection reaches the same handler: a whole visit, bound by invite code, over the WebSocket.
  it('visit-routine.chat over the long connection', async () => {
    const driver = (await setup('ws')).driver();
    await runTranscript(loadTranscript(dir + 'visit-routine.chat'), driver, database!.db);
    // Every press of the transcript (胡婷, 今天, 入户, 见到本人，情况无变化, 确认提交) came over the WebSocket.
    expect(app!.channel.events.handled.cardActions).toBe(5);
  });

  it('strangers see only the invite-code question (also on first opening the chat); groups are refused', async () => {
    const driver = (await setup()).driver();
    const stranger = { openId: 'ou_stranger', chatId: 'oc_stranger' };
    for (const text of ['/status', '/visit', '胡婷']) {
      await fake!.sendWebhook(app!.eventsUrl, fake!.messageEvent({ ...stranger, content: { text } }));
    }
    await app!.channel.events.idle();
    const said = fake!.chat(stranger.chatId).map(visibleText);
    expect(said).toHaveLength(3);
    for (const text of said) expect(text).not.toMatch(/胡婷|儿童：|岁/);
    expect(said[0]).toMatch(/邀请码/);

    const entered = (eventId: string, lastMessageId = '') => ({
      schema: '2.0',
      header: { event_id: eventId, event_type: 'im.chat.access_event.bot_p2p_chat_entered_v1', token: VERIFICATION_TOKEN, app_id: APP_ID },
      event: { chat_id: 'oc_newcomer', operator_id: { open_id: 'ou_newcomer', union_id: 'on_x', user_id: 'u_x' }, last_message_id: lastMessageId },
    });
    await fake!.sendWebhook(app!.eventsUrl, entered('e-1'));
    await fake!.sendWebhook(app!.eventsUrl, entered('e-2', 'om_earlier'));
    await app!.channel.events.idle();
    expect(fake!.chat('oc_newcomer').map(visibleText)).toEqual([expect.stringMatching(/邀请码/)]);

    const li = await driver.user('李主任');
    await fake!.sendWebhook(app!.eventsUrl, fake!.messageEvent({ openId: li.openId, chatId: 'oc_group', chatType: 'group', content: { text: '/visit' } }));
    await app!.channel.events.idle();
    expect(fake!.chat('oc_group').map(visibleText)).toEqual([expect.stringMatching(/私聊/)]);
    expect(await database!.db.select({ n: count() }).from(conversations)).toEqual([{ n: 0 }]);
  });

  it('a card tapped by another caseworker, or an old card tapped again, changes nothing', async () => {
    const driver = (await setup()).driver();
    const li = await driver.user('李主任');
    const wang = await driver.user('王主任');
    await driver.say('李主任', '/visit');
    const card = fake!.chat(li.chatId).at(-1)!;
    const child = cardButtons(card).find((b) => b.label.includes('胡婷'))!;

    const foreign = await fake!.sendWebhook(app!.cardsUrl, fake!.cardActionEvent({ openId: wang.openId, chatId: li.chatId, messageId: card.messageId, value: child.value }));
    expect(foreign.status).toBe(200);
    expect(foreign.body.card).toBeUndefined();
    await app!.channel.events.idle();
    expect(fake!.chat(li.chatId).map(visibleText).join('\n')).not.toMatch(/走访日期/);

    await driver.press('李主任', '胡婷');
    expect(visibleText(card)).toMatch(/胡婷/);
    expect(cardButtons(card)).toEqual([]);
    const stale = await fake!.sendWebhook(app!.cardsUrl, fake!.cardActionEvent({ openId: li.openId, chatId: li.chatId, messageId: card.messageId, value: child.value }));
    expect(stale.body.card).toBeUndefined();
    await app!.channel.events.idle();
    // The core says the button is out of date and points to the live question; the record card stays as it was.
    expect(fake!.chat(li.chatId).map(visibleText).join('\n')).toMatch(/这个按钮已过期。请回答最新的问题/);
    expect(cardButtons(card)).toEqual([]);
    expect(await database!.db.select({ n: count() }).from(conversations)).toEqual([{ n: 1 }]);
  });
});
