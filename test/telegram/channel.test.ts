// The Telegram adapter end to end with a scripted core: the real grammY Bot against the fake Bot API server, in
// both transports. Whole flows with the real core are in flows.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { message, plain } from '../../src/bot/message.js';
import { TemporaryFailure } from '../../src/bot/outcome.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { FakeBotApi } from './fakeBotApi.js';
import { echo, ScriptedCore } from './scriptedCore.js';
import { startRig, TelegramUser, WEBHOOK_SECRET, type Mode, type TelegramRig } from './harness.js';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ memory: true });
});
afterAll(async () => {
  await database.close();
});

describe.each<Mode>(['polling', 'webhook'])('Telegram channel over %s', (mode) => {
  let rig: TelegramRig;
  let core: ScriptedCore;
  let anna: TelegramUser;

  const setup = async () => {
    core = new ScriptedCore();
    rig = await startRig({ mode, core, db: database.db });
    anna = new TelegramUser(rig, 7001, 'Anna', 'zh-hans');
  };
  afterEach(async () => {
    await rig?.close();
  });

  it('hands a private text message to the core and answers in escaped HTML', async () => {
    await setup();
    expect(await anna.send('/start AB12-CD34')).toBe(200);
    const [inbound] = core.received;
    expect(inbound).toMatchObject({
      channel: 'telegram',
      userId: '7001',
      chatId: '7001',
      chatType: 'private',
      languageHint: 'zh-hans',
      displayName: 'Anna',
      event: { kind: 'text', text: '/start AB12-CD34' },
    });
    expect(inbound!.id).toMatch(new RegExp(`^${rig.fake.bot.id}:\\d+$`));

    await anna.send('<b>小明</b> & <script>x</script>');
    const sent = rig.fake.callsOf('sendMessage').at(-1)!.params;
    expect(sent.parse_mode).toBe('HTML');
    expect(sent.text).toBe('收到：<b>&lt;b&gt;小明&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</b>');
    expect(anna.newMessages().at(-1)).toBe('收到：<b>小明</b> & <script>x</script>');
  });

  it('answers a button press, edits the question to the answer chosen without buttons, then replies', async () => {
    await setup();
    await anna.send('你好');
    const question = rig.fake.sentTo(anna.chatId).at(-1)!;
    expect(question.reply_markup?.inline_keyboard[0]!.map((b) => b.text)).toEqual(['是', '否']);

    expect(await anna.press('是')).toBe(200);
    expect(core.received.at(-1)!.event).toEqual({ kind: 'button', data: 'q.yes' });
    expect(rig.fake.callsOf('answerCallbackQuery').at(-1)!.params.text).toBe('已记录');
    const edited = rig.fake.message(anna.chatId, question.message_id)!;
    expect(edited.text).toBe('问题 — 是');
    expect(edited.reply_markup).toBeUndefined();
    expect(anna.newMessages().at(-1)).toBe('按下：q.yes');
  });

  it('processes a redelivered update once and sends nothing twice', async () => {
    await setup();
    await anna.send('第一次');
    const update = rig.fake.press(anna.user, '否');
    await rig.deliver(update);
    const callsAfterFirst = rig.fake.calls.filter((c) => c.method !== 'getUpdates').length;
    // Telegram resends the same update (a webhook retry, a crash before the offset was confirmed).
    if (mode === 'webhook') expect(await rig.fake.post(update)).toBe(200);
    else await rig.fake.enqueue(update);
    expect(core.received.filter((i) => i.event.kind === 'button')).toHaveLength(1);
    expect(rig.fake.calls.filter((c) => c.method !== 'getUpdates')).toHaveLength(callsAfterFirst);
  });

  it('accepts locations and photos (largest size, with caption)', async () => {
    await setup();
    await rig.deliver(rig.fake.location(anna.user, 30.2741, 120.1551));
    const photo = rig.fake.photo(anna.user, '院子里的水管漏水');
    await rig.deliver(photo);
    expect(core.received.map((i) => i.event)).toEqual([
      { kind: 'location', latitude: 30.2741, longitude: 120.1551 },
      { kind: 'photo', fileId: photo.message!.photo!.at(-1)!.file_id, caption: '院子里的水管漏水' },
    ]);
  });

  it('ignores edited messages, saying so once', async () => {
    await setup();
    await anna.send('王小明');
    anna.newMessages();
    const original = rig.fake.sentTo(anna.chatId).length;
    const sentByUser = core.received.length;
    const msg = rig.fake.text(anna.user, '王小明');
    await rig.deliver(rig.fake.edited(msg.message!, '王小明明'));
    await rig.deliver(rig.fake.edited(msg.message!, '王小明明明'));
    expect(core.received).toHaveLength(sentByUser);
    expect(rig.fake.sentTo(anna.chatId)).toHaveLength(original + 1);
    expect(anna.newMessages()).toEqual(['我只读取新消息，修改过的消息不会被处理。如需更正，请直接发送一条新消息。']);
  });

  it('refuses to run flows in a group, in the sender’s language, and answers group button presses', async () => {
    await setup();
    const group = rig.fake.group(-1001234567890, '东风镇儿童工作群');
    const bob = rig.fake.user(7002, 'Bob', { languageCode: 'en' });
    await rig.deliver(rig.fake.text(bob, '/visit', group));
    expect(core.received).toHaveLength(0);
    const [refusal] = rig.fake.sentTo(group.id);
    expect(refusal!.text).toMatch(/only work in private chats/);
    // A flood in the group gets one refusal a minute, not one per message.
    await rig.deliver(rig.fake.text(bob, '/report', group));
    expect(rig.fake.sentTo(group.id)).toHaveLength(1);
    await rig.deliver(rig.fake.pressData(bob, refusal!, 'v.start'));
    expect(rig.fake.callsOf('answerCallbackQuery').at(-1)!.params.text).toBe('Please use me in a private chat');
    expect(core.received).toHaveLength(0);
  });

  it('ignores messages from bots and tells a user when a message kind cannot be read', async () => {
    await setup();
    const other = rig.fake.user(7003, 'SpamBot', { isBot: true });
    const before = rig.fake.calls.filter((c) => c.method === 'sendMessage').length;
    await rig.deliver(rig.fake.text(other, '/start'));
    expect(rig.fake.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(before);
    await rig.deliver(rig.fake.sticker(anna.user));
    expect(core.received).toHaveLength(0);
    expect(anna.newMessages()).toEqual(['这类消息我还读不懂。请发送文字、点按钮，或在需要时发送位置或照片。']);
  });

  it('splits a long reply at line breaks under 4,096 characters with the buttons on the last part', async () => {
    await setup();
    const line = (i: number) => `${String(i).padStart(3, '0')} 李芳 · 逾期${i}天 · 东风镇 <第${i}组>`;
    const lines = Array.from({ length: 260 }, (_, i) => line(i));
    core.respond = () => ({ locale: 'zh-CN', replies: [message(lines.join('\n'), [[{ label: '更多…', data: 'list.more' }]])] });
    await anna.send('/status');
    const parts = rig.fake.sentTo(anna.chatId);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.text!.length).toBeLessThanOrEqual(4096);
    expect(parts.map((p) => p.text).join('\n')).toBe(lines.join('\n'));
    expect(parts.slice(0, -1).every((p) => p.reply_markup === undefined)).toBe(true);
    expect(parts.at(-1)!.reply_markup?.inline_keyboard[0]![0]!.text).toBe('更多…');
  });

  it('sends an image with sendPhoto and the text as its caption', async () => {
    await setup();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    core.respond = () => ({ locale: 'zh-CN', replies: [{ text: [plain('东风镇 本周走访')], image: { pngBase64: png, alt: 'chart' } }] });
    await anna.send('/digest');
    const call = rig.fake.callsOf('sendPhoto').at(-1)!;
    expect((call.params as { caption: string }).caption).toBe('东风镇 本周走访');
    expect(anna.newMessages()).toEqual(['东风镇 本周走访']);
  });

  it('treats "message is not modified" as success (a double tap resolves to what the question already says)', async () => {
    await setup();
    core.respond = (inbound) =>
      inbound.event.kind === 'text'
        ? echo(inbound)
        : { locale: 'zh-CN', resolved: { text: [plain('收到：'), { text: '再按', bold: true }] }, replies: [message('好的')] };
    await anna.send('再按');
    const question = rig.fake.sentTo(anna.chatId).at(-1)!;
    await rig.deliver(rig.fake.pressData(anna.user, question, 'q.yes'));
    await rig.deliver(rig.fake.pressData(anna.user, question, 'q.yes'));
    const edits = rig.fake.callsOf('editMessageText');
    expect(edits.map((c) => c.status)).toEqual([200, 400]);
    expect(rig.channel.health().lastError).toBeUndefined();
    expect(anna.newMessages().slice(-2)).toEqual(['好的', '好的']);
  });

  it('publishes the command menu in Chinese (default) and English', async () => {
    await setup();
    expect(rig.fake.commands.get('')!.map((c) => c.command)).toEqual(['menu', 'visit', 'report', 'status', 'register', 'cancel', 'help']);
    expect(rig.fake.commands.get('')![1]!.description).toBe('记录走访');
    expect(rig.fake.commands.get('en')![1]!.description).toBe('Log a visit');
    expect(rig.channel.health()).toMatchObject({ mode, state: 'running', running: true, bot: rig.fake.bot.username });
  });

  it('tells the user in their language when the core fails unexpectedly', async () => {
    await setup();
    const bob = new TelegramUser(rig, 7004, 'Bob', 'en-GB');
    core.failure = new Error('bug');
    expect(await bob.send('/menu')).toBe(200);
    expect(bob.newMessages()).toEqual(['Sorry, something went wrong. Please try again later; if it keeps happening, contact your administrator.']);
    expect(rig.channel.health().lastError).toMatch(/core failed/);
  });

  it('when the database is down: webhook answers 503 and Telegram’s redelivery is processed once; polling asks the user to retry', async () => {
    await setup();
    core.failure = new TemporaryFailure('系统暂时无法保存，请稍后重试。');
    const update = rig.fake.text(anna.user, '/visit');
    const status = await rig.deliver(update);
    if (mode === 'webhook') {
      expect(status).toBe(503);
      expect(anna.newMessages()).toEqual([]);
      core.failure = undefined;
      expect(await rig.fake.post(update)).toBe(200);
      expect(core.received).toHaveLength(1);
      expect(anna.newMessages()).toEqual(['收到：/visit']);
    } else {
      expect(anna.newMessages()).toEqual(['系统暂时无法保存，请稍后重试。']);
      // A button press during the outage: the spinner stops with the same advice.
      core.failure = undefined;
      await anna.send('问题');
      core.failure = new TemporaryFailure('系统暂时无法保存，请稍后重试。');
      await anna.press('是');
      expect(rig.fake.callsOf('answerCallbackQuery').at(-1)!.params.text).toBe('系统暂时无法保存，请稍后重试。');
    }
  });
});

describe('webhook transport', () => {
  let rig: TelegramRig;
  let core: ScriptedCore;
  beforeAll(async () => {
    core = new ScriptedCore();
    rig = await startRig({ mode: 'webhook', core, db: database.db });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('registers the webhook with the secret token and the update kinds it reads', () => {
    const call = rig.fake.callsOf('setWebhook').at(-1)!;
    expect(call.params).toMatchObject({
      url: expect.stringMatching(/\/telegram\/webhook$/),
      secret_token: WEBHOOK_SECRET,
      allowed_updates: ['message', 'edited_message', 'callback_query'],
    });
  });

  it('rejects a wrong or missing secret with 401 and processes nothing', async () => {
    const user = rig.fake.user(7101, 'Mallory');
    const before = rig.fake.calls.length;
    expect(await rig.fake.post(rig.fake.text(user, '/start X'), { secret: 'wrong-secret' })).toBe(401);
    expect(await rig.fake.post(rig.fake.text(user, '/start X'), { secret: null })).toBe(401);
    expect(await rig.fake.post(rig.fake.text(user, '/start X'), { secret: `${WEBHOOK_SECRET}x` })).toBe(401);
    expect(core.received).toHaveLength(0);
    expect(rig.fake.calls).toHaveLength(before);
    expect(rig.logs.some((l) => String(l.msg).includes('wrong or missing secret token'))).toBe(true);
  });

  it('answers 400 to a body that is not an update', async () => {
    const url = rig.fake.webhook!.url;
    const post = (body: string) =>
      fetch(url, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET }, body }).then((r) => r.status);
    expect(await post('{not json')).toBe(400);
    expect(await post('{"update_id":"x"}')).toBe(400);
    expect(core.received).toHaveLength(0);
  });
});

describe('start-up failures', () => {
  it('a webhook URL Telegram refuses fails the start with a message naming the setting', async () => {
    const fake = await new FakeBotApi().start();
    fake.failNext('setWebhook', { code: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' });
    const rig = await startRig({ mode: 'webhook', core: new ScriptedCore(), db: database.db, fake, start: false });
    await expect(rig.channel.start()).rejects.toThrow(/setWebhook failed .*HTTPS url must be provided.*TELEGRAM_WEBHOOK_URL/);
    expect(rig.channel.health()).toMatchObject({ state: 'failed', running: false });
    await rig.close();
    await fake.close();
  });

  it('a wrong token fails the start with a message naming the settings', async () => {
    const fake = await new FakeBotApi().start();
    const rig = await startRig({ mode: 'polling', core: new ScriptedCore(), db: database.db, fake, start: false, env: { TELEGRAM_BOT_TOKEN: '1:wrong' } });
    await expect(rig.channel.start()).rejects.toThrow(/getMe failed \(getMe: 401 Unauthorized\); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT/);
    await rig.close();
    await fake.close();
  });
});

describe('long polling', () => {
  it('a second instance on the same token stops with a message saying several instances need webhook mode', async () => {
    const core = new ScriptedCore();
    const first = await startRig({ mode: 'polling', core, db: database.db });
    const second = await startRig({ mode: 'polling', core, db: database.db, fake: first.fake });
    const conflict = (rig: TelegramRig) => rig.logs.find((l) => String(l.msg).includes('409 Conflict'));
    await expect.poll(() => conflict(first) ?? conflict(second), { timeout: 10_000 }).toBeDefined();
    const loser = conflict(first) ? first : second;
    const winner = loser === first ? second : first;
    expect(String(conflict(loser)!.msg)).toMatch(/run several instances in webhook mode \(TELEGRAM_WEBHOOK_URL\)/);
    expect(loser.channel.health()).toMatchObject({ state: 'failed', running: false, lastError: expect.stringMatching(/409/) });
    // The survivor still serves users.
    const user = new TelegramUser(winner, 7201, 'Anna');
    await user.send('还在吗');
    expect(user.newMessages()).toEqual(['收到：还在吗']);
    await second.close();
    await first.close();
    await first.fake.close();
  });

  it('refuses to poll when a webhook is set, instead of silently taking updates from webhook instances', async () => {
    const core = new ScriptedCore();
    const hooked = await startRig({ mode: 'webhook', core, db: database.db });
    const poller = await startRig({ mode: 'polling', core, db: database.db, fake: hooked.fake });
    expect(poller.channel.health()).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/a webhook is set/) });
    expect(hooked.fake.webhook).toBeDefined();
    expect(hooked.fake.callsOf('deleteWebhook')).toHaveLength(0);
    await poller.close();
    await hooked.close();
    await hooked.fake.close();
  });
});
