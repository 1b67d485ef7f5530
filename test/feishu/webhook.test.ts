// The webhook transport against the fake open platform: what Feishu sends, signed and encrypted as Feishu does,
// and everything forged, stale, foreign or repeated.
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { cardButtons, decodeLarkMd, FakeFeishu, VERIFICATION_TOKEN, visibleText } from './fakeFeishu.js';
import { eventually, FakeCore, type Running, startChannel, temporaryFailure, useFeishuRig } from './harness.js';

const USER = 'ou_caseworker_1';
const CHAT = 'oc_private_1';

describe('Feishu webhook transport', () => {
  let fake: FakeFeishu;
  let database: Database;
  let core: FakeCore;
  let app: Running;

  useFeishuRig({ answerWithinMs: 1000 }, (rig) => ({ fake, core, app, database } = rig));

  const say = (text: string, extra: Partial<Parameters<FakeFeishu['messageEvent']>[0]> = {}) =>
    fake.sendWebhook(app.eventsUrl, fake.messageEvent({ openId: USER, chatId: CHAT, content: { text }, ...extra }));

  it('answers the URL-verification challenge only with the right verification token', async () => {
    const ok = await fake.sendWebhook(app.eventsUrl, { type: 'url_verification', challenge: 'abc123', token: VERIFICATION_TOKEN }, { unsigned: true });
    expect(ok).toEqual({ status: 200, body: { challenge: 'abc123' } });
    const wrong = await fake.sendWebhook(app.eventsUrl, { type: 'url_verification', challenge: 'abc123', token: 'guess' }, { unsigned: true });
    expect(wrong.status).toBe(403);
    const cards = await fake.sendWebhook(app.cardsUrl, { type: 'url_verification', challenge: 'c2', token: VERIFICATION_TOKEN }, { unsigned: true });
    expect(cards.body).toEqual({ challenge: 'c2' });
  });

  it('hands a text message to the core as one Inbound and sends the reply as rich text', async () => {
    const event = fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'hello' }, userAgent: 'Mozilla/5.0 Lark/7.30.0 LarkLocale/en_US' });
    const answer = await fake.sendWebhook(app.eventsUrl, event);
    expect(answer.status).toBe(200);
    expect(core.inbounds).toEqual([
      {
        channel: 'feishu',
        id: (event.header as { event_id: string }).event_id,
        userId: USER,
        chatId: CHAT,
        chatType: 'private',
        languageHint: 'en',
        event: { kind: 'text', text: 'hello' },
      },
    ]);
    const reply = await eventually(() => fake.chat(CHAT)[0]);
    expect(reply.msgType).toBe('post');
    expect(visibleText(reply)).toBe('you said hello');
    expect((reply.content as { zh_cn: { content: { style?: string[] }[][] } }).zh_cn.content[0]![1]!.style).toEqual(['bold']);
  });

  it('rejects a forged signature, a stale or future timestamp, an unsigned event and a foreign key — nothing processed', async () => {
    const event = () => fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'hi' } });
    expect((await fake.sendWebhook(app.eventsUrl, event(), { forgeSignature: true })).status).toBe(401);
    expect((await fake.sendWebhook(app.eventsUrl, event(), { timestampOffsetSeconds: -301 })).status).toBe(401);
    expect((await fake.sendWebhook(app.eventsUrl, event(), { timestampOffsetSeconds: 400 })).status).toBe(401);
    expect((await fake.sendWebhook(app.eventsUrl, event(), { unsigned: true })).status).toBe(401);
    expect((await fake.sendWebhook(app.eventsUrl, event(), { plaintext: true })).status).toBe(400);
    expect((await fake.sendWebhook(app.eventsUrl, event(), { encryptKey: 'another-app-key' })).status).toBe(400);
    const wrongToken = event();
    (wrongToken.header as Record<string, unknown>).token = 'not-our-token';
    expect((await fake.sendWebhook(app.eventsUrl, wrongToken)).status).toBe(403);
    const otherApp = event();
    (otherApp.header as Record<string, unknown>).app_id = 'cli_ffffffffffffffff';
    expect((await fake.sendWebhook(app.eventsUrl, otherApp)).status).toBe(403);
    // A request inside the window still passes: five seconds inside, as the timestamp is in whole seconds (up to one
    // lost to rounding down) and a loaded machine may take a second or more to deliver it (one second inside failed so).
    expect((await fake.sendWebhook(app.eventsUrl, event(), { timestampOffsetSeconds: -295 })).status).toBe(200);
    await app.channel.events.idle();
    expect(core.inbounds).toHaveLength(1);
    expect(fake.messages).toHaveLength(1);
  });

  it('a replayed event id reaches the core with the same id and is not answered twice', async () => {
    const event = fake.messageEvent({ openId: USER, chatId: CHAT, content: { text: 'once' } });
    expect((await fake.sendWebhook(app.eventsUrl, event)).status).toBe(200);
    expect((await fake.sendWebhook(app.eventsUrl, event)).status).toBe(200);
    await app.channel.events.idle();
    expect(core.inbounds.map((i) => i.id)).toEqual([(event.header as { event_id: string }).event_id, (event.header as { event_id: string }).event_id]);
    expect(fake.chat(CHAT)).toHaveLength(1);
  });

  it('flattens post rich text, strips mentions, and reads photos and locations', async () => {
    await fake.sendWebhook(
      app.eventsUrl,
      fake.messageEvent({
        openId: USER,
        chatId: CHAT,
        type: 'post',
        content: {
          title: '情况说明',
          content: [
            [{ tag: 'at', user_id: '@_user_1', user_name: 'bot' }, { tag: 'text', text: ' 孩子' }, { tag: 'text', text: '咳嗽', style: ['bold'] }],
            [{ tag: 'a', text: '病历', href: 'https://example.org' }, { tag: 'emotion', emoji_type: 'SMILE' }],
          ],
        },
      }),
    );
    await say('@_user_1 /visit', { mentions: [{ key: '@_user_1', name: 'bot' }] });
    await fake.sendWebhook(app.eventsUrl, fake.messageEvent({ openId: USER, chatId: CHAT, type: 'image', content: { image_key: 'img_v3_abc' } }));
    await fake.sendWebhook(
      app.eventsUrl,
      fake.messageEvent({ openId: USER, chatId: CHAT, type: 'post', content: { title: '', content: [[{ tag: 'text', text: '门口' }], [{ tag: 'img', image_key: 'img_v3_door' }]] } }),
    );
    await fake.sendWebhook(
      app.eventsUrl,
      fake.messageEvent({ openId: USER, chatId: CHAT, type: 'location', content: { name: '村委会', latitude: '30.5728', longitude: '104.0668' } }),
    );
    expect(core.inbounds.map((i) => i.event)).toEqual([
      { kind: 'text', text: '情况说明\n孩子咳嗽\n病历' },
      { kind: 'text', text: '/visit' },
      { kind: 'photo', fileId: expect.stringMatching(/^om_[0-9a-f]+:img_v3_abc$/) },
      { kind: 'photo', fileId: expect.stringMatching(/^om_[0-9a-f]+:img_v3_door$/), caption: '门口' },
      { kind: 'location', latitude: 30.5728, longitude: 104.0668 },
    ]);
  });

  it('hands group messages to the core as such (it refuses them), and answers unreadable types itself', async () => {
    await say('@_user_1 /visit', { chatId: 'oc_group_9', chatType: 'group', userAgent: 'Lark/7.30 LarkLocale/en_US', mentions: [{ key: '@_user_1', name: 'bot' }] });
    expect(core.inbounds).toMatchObject([{ chatId: 'oc_group_9', chatType: 'group', languageHint: 'en', event: { kind: 'text', text: '/visit' } }]);
    expect(visibleText(await eventually(() => fake.chat('oc_group_9')[0]))).toBe('private chats only');
    await fake.sendWebhook(app.eventsUrl, fake.messageEvent({ openId: USER, chatId: CHAT, type: 'file', content: { file_key: 'f1' } }));
    await app.channel.events.idle();
    expect(core.inbounds).toHaveLength(1);
    expect(visibleText(fake.chat(CHAT)[0]!)).toMatch(/只能识别文字、图片和位置/);
  });

  it('a question is a card; a click is answered with the card as a record, then the reply follows', async () => {
    await say('ask');
    const card = await eventually(() => fake.chat(CHAT)[0]);
    expect(card.msgType).toBe('interactive');
    expect(cardButtons(card)).toEqual([
      { label: 'Yes', value: { d: 'q1.yes' } },
      { label: 'No', value: { d: 'q1.no' } },
    ]);
    const answer = await fake.click(app.cardsUrl, card, 'Yes');
    expect(answer.status).toBe(200);
    // Answered to the operator (their open_id reaches their private chat), as a private chat: Feishu says it is one.
    expect(core.inbounds.at(-1)).toMatchObject({ userId: USER, chatId: USER, chatType: 'private', event: { kind: 'button', data: 'q1.yes' } });
    expect(visibleText(card)).toBe('Question 1? Yes');
    expect(cardButtons(card)).toEqual([]);
    const reply = await eventually(() => fake.chat(CHAT)[1]);
    expect(visibleText(reply)).toBe('saved: yes');
  });

  it('a click from another user or on an old card changes nothing', async () => {
    await say('ask');
    const first = await eventually(() => fake.chat(CHAT)[0]);
    const stranger = await fake.click(app.cardsUrl, first, 'Yes', { openId: 'ou_someone_else' });
    expect(stranger.body).toEqual({ toast: { type: 'info', content: 'stale' } });
    expect(core.inbounds.at(-1)?.userId).toBe('ou_someone_else');
    expect(cardButtons(first)).toHaveLength(2);

    await say('ask');
    await eventually(() => fake.chat(CHAT)[1]);
    const old = await fake.click(app.cardsUrl, first, 'No');
    expect(old.body.card).toBeUndefined();
    expect(visibleText(first)).toBe('Question 1?');
    await app.channel.events.idle();
    expect(fake.chat(CHAT)).toHaveLength(2);
  });

  it('a forged or malformed button value is refused with a notice, and never reaches the core', async () => {
    await say('ask');
    const card = await eventually(() => fake.chat(CHAT)[0]);
    const core0 = core.inbounds.length;
    for (const value of [{ d: 'x'.repeat(300) }, 'q1.yes', { data: 'q1.yes' }, { d: '' }, null]) {
      const answer = await fake.sendWebhook(app.cardsUrl, fake.cardActionEvent({ openId: USER, chatId: CHAT, messageId: card.messageId, value }));
      expect(answer).toEqual({ status: 200, body: { toast: { type: 'warning', content: '这个按钮已失效，请查看最新的消息。' } } });
    }
    const badPin = fake.messageEvent({ openId: USER, chatId: CHAT, type: 'location', content: { latitude: '200', longitude: '10' } });
    expect((await fake.sendWebhook(app.eventsUrl, badPin)).status).toBe(200);
    expect(core.inbounds).toHaveLength(core0);
    expect(cardButtons(card)).toHaveLength(2);
  });

  it('a repeated card callback (same event id) is answered without effects', async () => {
    await say('ask');
    const card = await eventually(() => fake.chat(CHAT)[0]);
    const click = fake.cardActionEvent({ openId: USER, chatId: CHAT, messageId: card.messageId, value: { d: 'q1.yes' } });
    const first = await fake.sendWebhook(app.cardsUrl, click);
    expect(first.body.card).toBeDefined();
    const again = await fake.sendWebhook(app.cardsUrl, click);
    expect(again).toEqual({ status: 200, body: {} });
    await app.channel.events.idle();
    expect(fake.chat(CHAT).map(visibleText)).toEqual(['Question 1?', 'saved: yes']);
  });

  it('user text is shown, never interpreted, in card markdown', async () => {
    const hostile = '**not bold** [link](http://evil.example) <at id=all></at> :OK: ~~x~~ `code` # h & &amp;';
    const coreWithCard = new (class extends FakeCore {
      override async handle(inbound: Parameters<FakeCore['handle']>[0]) {
        const text = inbound.event.kind === 'text' ? inbound.event.text : '';
        return { replies: [{ text: [{ text: 'Name: ' }, { text, bold: true }, { text: '\nnext line' }], buttons: [[{ label: 'OK', data: 'ok' }]] }], locale: 'en' };
      }
    })();
    await app.close();
    app = await startChannel({ fake, core: coreWithCard, db: database.db });
    await say(hostile);
    const card = await eventually(() => fake.chat(CHAT)[0]);
    const md = ((card.content as { elements: { text?: { content: string } }[] }).elements[0]!.text!).content;
    const decoded = decodeLarkMd(md);
    expect(decoded.unescaped).toEqual([]);
    expect(decoded.text).toBe(`Name: ${hostile}\nnext line`);
    expect(decoded.bold).toEqual([hostile]);
  });

  it('when the core is slow, Feishu gets its answer in time and the replies (and card) follow', async () => {
    await app.close();
    app = await startChannel({ fake, core, db: database.db, answerWithinMs: 100 });
    await say('ask');
    const card = await eventually(() => fake.chat(CHAT)[0]);
    core.delayMs = 400;
    const started = Date.now();
    const answer = await fake.click(app.cardsUrl, card, 'No');
    expect(Date.now() - started).toBeLessThan(350);
    expect(answer.body.toast).toEqual({ type: 'info', content: '正在处理…' });
    await eventually(() => fake.patches[0]);
    expect(visibleText(card)).toBe('Question 1? No');
    expect(cardButtons(card)).toEqual([]);
    expect(visibleText(await eventually(() => fake.chat(CHAT)[1]))).toBe('saved: no');

    const t0 = Date.now();
    expect((await say('slow text')).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(350);
    expect(visibleText(await eventually(() => fake.chat(CHAT)[2]))).toBe('you said slow text');
  });

  it('a slow chat lookup counts against the answer window: the click is answered in time and applied as private', async () => {
    await app.close();
    app = await startChannel({ fake, core, db: database.db, answerWithinMs: 100 });
    await say('ask');
    const card = await eventually(() => fake.chat(CHAT)[0]);
    fake.chatLookupDelayMs = 400;
    const started = Date.now();
    const answer = await fake.click(app.cardsUrl, card, 'No');
    expect(Date.now() - started).toBeLessThan(350);
    expect(answer.body.toast).toEqual({ type: 'info', content: '正在处理…' });
    expect(visibleText(await eventually(() => fake.chat(CHAT)[1]))).toBe('saved: no');
    expect(fake.chatLookups).toContain(CHAT);
    expect(core.inbounds.at(-1)).toMatchObject({ chatType: 'private', event: { kind: 'button' } });
  });

  it('replies to quick successive messages arrive in order, even over a slow network', async () => {
    fake.sendDelayMs = 60;
    await say('three');
    await say('next');
    await app.channel.events.idle();
    expect(fake.chat(CHAT).map(visibleText)).toEqual(['one', 'two', 'three', 'you said next']);
  });

  it('a database outage asks Feishu to redeliver the message, and tells the clicker to retry', async () => {
    await say('ask');
    const card = await eventually(() => fake.chat(CHAT)[0]);
    core.failWith = temporaryFailure();
    expect((await say('hello')).status).toBe(503);
    const click = await fake.click(app.cardsUrl, card, 'Yes');
    expect(click.body).toEqual({ toast: { type: 'error', content: 'busy, try again' } });
    expect(cardButtons(card)).toHaveLength(2);
    core.failWith = undefined;
    expect((await say('hello')).status).toBe(200);
  });

  it('ignores what the bot itself sent, and turns a bot-menu tap into the command', async () => {
    const own = fake.messageEvent({ openId: 'ou_bot', chatId: CHAT, content: { text: 'echo' } });
    (own.event as { sender: { sender_type: string } }).sender.sender_type = 'app';
    expect((await fake.sendWebhook(app.eventsUrl, own)).status).toBe(200);
    const menu = {
      schema: '2.0',
      header: { event_id: 'evt-menu-1', event_type: 'application.bot.menu_v6', token: VERIFICATION_TOKEN, app_id: (own.header as { app_id: string }).app_id },
      event: { operator: { operator_name: '李主任', operator_id: { open_id: USER, union_id: 'on_1', user_id: 'u1' } }, event_key: 'visit', timestamp: Date.now() },
    };
    expect((await fake.sendWebhook(app.eventsUrl, menu)).status).toBe(200);
    expect(core.inbounds).toEqual([{ channel: 'feishu', id: 'evt-menu-1', userId: USER, chatId: USER, chatType: 'private', event: { kind: 'text', text: '/visit' } }]);
    const reply = await eventually(() => fake.chat(USER)[0]);
    expect(reply.receiveIdType).toBe('open_id');
  });

  it('answers within Feishu’s window: round trip of signed, encrypted events (transport and a trivial core)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      const answer = await say(`m${i}`);
      times.push(performance.now() - started);
      expect(answer.status).toBe(200);
    }
    await app.channel.events.idle();
    times.sort((a, b) => a - b);
    const median = times[99]!;
    const p95 = times[189]!;
    console.log(`feishu webhook transport round trip: n=200 median=${median.toFixed(1)}ms p95=${p95.toFixed(1)}ms`);
    expect(p95).toBeLessThan(3000);
    expect(fake.chat(CHAT)).toHaveLength(200);
  });

  it('answers 413 to an oversized body and 400 to garbage', async () => {
    const big = await fetch(app.eventsUrl, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
    const garbage = await fetch(app.eventsUrl, { method: 'POST', body: '{"encrypt": "bm90IGNpcGhlcnRleHQ="}' });
    expect(garbage.status).toBe(400);
    expect(core.inbounds).toEqual([]);
  });
});
