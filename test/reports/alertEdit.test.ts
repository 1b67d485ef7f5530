// Issue 10 item 2: the finished report edits the preliminary alert in place where the channel allows. A caseworker
// answers "danger = yes" through the real core; the real sender delivers the preliminary alert to the township
// supervisor over Telegram (grammY against the fake Bot API) and Feishu (the Lark SDK against the fake open
// platform) and keeps each message's platform id; when the form is filed, the full report replaces that very
// message (editMessageText, im.v1.message.patch). Where the edit is refused (the message is gone or too old), the
// full report goes out as a new message naming the same reference. Either way: one visible state per chat.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelRuntime } from '../../src/bot/channel.js';
import type { Database } from '../../src/db/client.js';
import { channelIdentities, outbox, type ChannelName } from '../../src/db/schema.js';
import { OutboxSender } from '../../src/scheduler/sender.js';
import { FakeFeishu, visibleText } from '../feishu/fakeFeishu.js';
import { FakeCore, startChannel, type Running } from '../feishu/harness.js';
import { logger, testConfig } from '../scheduler/fixture.js';
import { CoreDriver } from '../support/chat.js';
import { testCore } from '../support/core.js';
import { databaseTargets } from '../support/db.js';
import { demoWorld, TestClock } from '../support/world.js';
import { startRig, type TelegramRig } from '../telegram/harness.js';

const TG_CHAT = 9101;
const FS_CHAT = 'oc_zhao_private';

describe.each(databaseTargets().slice(-1))('the full report edits the preliminary alert, on $name', (target) => {
  let database: Database;
  let rig: TelegramRig;
  let fake: FakeFeishu;
  let feishu: Running;
  afterEach(async () => {
    await rig.close();
    await feishu.close();
    await fake.close();
    await database.close();
  });

  async function setUp() {
    database = await target.openDemo();
    const world = await demoWorld(database.db);
    const clock = new TestClock();
    const driver = new CoreDriver(testCore(database.db, { clock: clock.now }), world, database.db);
    rig = await startRig({ mode: 'polling', core: { handle: async () => ({ replies: [], locale: 'zh-CN' }) }, db: database.db, start: false });
    rig.fake.user(TG_CHAT, '赵');
    fake = await new FakeFeishu().start();
    feishu = await startChannel({ fake, core: new FakeCore(), db: database.db });
    // The township supervisor reads alerts on Telegram and on Feishu.
    const zhao = world.staffId('赵督导员');
    await database.db.insert(channelIdentities).values([
      { channel: 'telegram', externalId: String(TG_CHAT), chatId: String(TG_CHAT), staffId: zhao },
      { channel: 'feishu', externalId: 'ou_zhao', chatId: FS_CHAT, staffId: zhao },
    ]);
    const channels = new Map<ChannelName, ChannelRuntime>([
      ['telegram', rig.channel],
      ['feishu', feishu.channel],
    ]);
    const sender = new OutboxSender({ db: database.db, config: testConfig({ QUIET_HOURS: '' }), logger, channels, clock: () => new Date() });
    /** Runs the sender until the supervisor's Telegram and Feishu rows are all settled. */
    const deliverAll = async () => {
      for (let pass = 0; pass < 100; pass++) {
        const { claimed } = await sender.runOnce();
        const pending = await database.db.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.status, 'pending'), inArray(outbox.channel, ['telegram', 'feishu'])));
        if (pending.length === 0) return;
        // A row put back for a moment (an edit waiting for the message it edits) comes due again in real time.
        if (claimed === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the outbox did not drain');
    };
    return { driver, deliverAll };
  }

  /** The caseworker's urgent report up to the summary (danger answered first: the preliminary alert goes out). */
  async function fillTheForm(driver: CoreDriver) {
    for (const step of ['是，紧急', '已报警，继续']) await driver.press('李主任', step);
    await driver.say('李主任', '刘洋');
    await driver.press('李主任', '多处损伤');
    await driver.press('李主任', '完成');
    for (const text of ['手臂和背部多处淤青', '今天上午', '柳树村2组刘家', 'JJ20261123-0042']) await driver.say('李主任', text);
  }

  async function alertRows() {
    return database.db
      .select({ id: outbox.id, channel: outbox.channel, status: outbox.status, messageId: outbox.messageId, replacesId: outbox.replacesId, key: outbox.dedupeKey })
      .from(outbox)
      .where(and(eq(outbox.kind, 'report.alert'), inArray(outbox.channel, ['telegram', 'feishu']), isNotNull(outbox.sentAt)))
      .orderBy(outbox.id);
  }

  it('edits the Telegram message and patches the Feishu card in place; nothing is sent twice', async () => {
    const { driver, deliverAll } = await setUp();
    await driver.say('李主任', '/report');
    await driver.press('李主任', '是，紧急');
    await deliverAll();
    const [tgAlert] = rig.fake.sentTo(TG_CHAT);
    expect(rig.fake.sentTo(TG_CHAT)).toHaveLength(1);
    expect(tgAlert!.text).toContain('报告填写中');
    expect(fake.chat(FS_CHAT)).toHaveLength(1);
    expect(visibleText(fake.chat(FS_CHAT)[0]!)).toContain('报告填写中');
    // The platform's id of each delivered alert is kept with its row.
    const preliminary = await alertRows();
    expect(preliminary.map((r) => [r.channel, r.messageId])).toEqual(
      expect.arrayContaining([
        ['telegram', String(tgAlert!.message_id)],
        ['feishu', fake.chat(FS_CHAT)[0]!.messageId],
      ]),
    );

    // The caseworker finishes the form; the alert's place is taken by the full report.
    await fillTheForm(driver);
    await driver.press('李主任', '确认提交');
    await deliverAll();

    const edits = rig.fake.callsOf('editMessageText').filter((c) => c.status === 200);
    expect(edits).toHaveLength(1);
    expect(Number(edits[0]!.params.message_id)).toBe(tgAlert!.message_id);
    expect(rig.fake.sentTo(TG_CHAT)).toHaveLength(1);
    const shown = rig.fake.message(TG_CHAT, tgAlert!.message_id)!;
    expect(shown.text).toContain('完整报告');
    expect(shown.text).toContain('刘洋');
    expect(shown.text).toContain('BG-2026-000001');
    expect(shown.text).not.toContain('报告填写中');
    expect(shown.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toContain('✅ 受理');

    expect(fake.patches).toHaveLength(1);
    expect(fake.patches[0]!.messageId).toBe(fake.chat(FS_CHAT)[0]!.messageId);
    expect(fake.chat(FS_CHAT)).toHaveLength(1);
    expect(visibleText(fake.chat(FS_CHAT)[0]!)).toContain('完整报告');
    expect(visibleText(fake.chat(FS_CHAT)[0]!)).toContain('刘洋');

    // Each full report row names the row it replaced, and records the same message as delivered.
    const rows = await alertRows();
    const followUps = rows.filter((r) => r.replacesId !== null);
    expect(followUps).toHaveLength(2);
    for (const f of followUps) {
      const replaced = rows.find((r) => r.id === f.replacesId)!;
      expect(replaced.key).toMatch(/:preliminary:0:/);
      expect(f.messageId).toBe(replaced.messageId);
    }
    // A second pass, or an edit repeated after a crash before it was recorded, changes nothing visible.
    await deliverAll();
    expect(rig.fake.callsOf('editMessageText').filter((c) => c.status === 200)).toHaveLength(1);
    const again = await rig.channel.edit!(String(TG_CHAT), String(tgAlert!.message_id), { text: [{ text: shown.text! }] });
    expect(again.ok).toBe(true);
    expect(rig.fake.sentTo(TG_CHAT)).toHaveLength(1);
  }, 60_000);

  it('where the edit is refused, the full report follows as a new message naming the same reference', async () => {
    const { driver, deliverAll } = await setUp();
    await driver.say('李主任', '/report');
    await driver.press('李主任', '是，紧急');
    await deliverAll();
    await fillTheForm(driver);
    await driver.press('李主任', '确认提交');
    rig.fake.failNext('editMessageText', { code: 400, description: 'Bad Request: message to edit not found' });
    fake.failNextPatches.push({ status: 400, body: { code: 230001, msg: 'message not found or not updatable' } });
    await deliverAll();

    const tg = rig.fake.sentTo(TG_CHAT);
    expect(tg).toHaveLength(2);
    expect(tg[0]!.text).toContain('报告填写中');
    expect(tg[1]!.text).toContain('完整报告（更新此前的紧急警报 BG-2026-000001）');
    const fs = fake.chat(FS_CHAT);
    expect(fs).toHaveLength(2);
    expect(visibleText(fs[1]!)).toContain('完整报告（更新此前的紧急警报 BG-2026-000001）');
    expect(fake.patches).toHaveLength(0);
    // Delivered once each, as the new messages they became.
    const followUps = (await alertRows()).filter((r) => r.replacesId !== null);
    expect(followUps.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(followUps.map((r) => r.messageId).sort()).toEqual([String(tg[1]!.message_id), fs[1]!.messageId].sort());
  }, 60_000);

  it('a full report queued before its preliminary alert went out still edits it once that is out: one message', async () => {
    const { driver, deliverAll } = await setUp();
    await driver.say('李主任', '/report');
    await fillTheForm(driver);
    await driver.press('李主任', '确认提交');
    // Both rows are due at once; the full report is not sent on its own: it edits the preliminary alert once that is out.
    await deliverAll();
    expect(rig.fake.callsOf('sendMessage').filter((c) => c.status === 200)).toHaveLength(1);
    expect(rig.fake.callsOf('editMessageText').filter((c) => c.status === 200)).toHaveLength(1);
    const [only] = rig.fake.sentTo(TG_CHAT);
    expect(rig.fake.sentTo(TG_CHAT)).toHaveLength(1);
    expect(rig.fake.message(TG_CHAT, only!.message_id)!.text).toContain('完整报告');
    expect(fake.chat(FS_CHAT)).toHaveLength(1);
    expect(visibleText(fake.chat(FS_CHAT)[0]!)).toContain('完整报告');
  }, 60_000);
});
