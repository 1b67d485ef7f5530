// A caseworker who binds an account after the day's reminders went out gets their due list at once (through the
// outbox, with its 记录 buttons), never twice the same day, and as usual the next morning; binding before the run
// adds nothing, and quiet hours hold the late reminder back like any other.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/bot/core.js';
import type { Database } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { channelIdentities, conversations, reminderLog, staff, type ChannelName } from '../../src/db/schema.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import { testCore } from '../support/core.js';
import { databaseTargets } from '../support/db.js';
import { Clock, MONDAY_9, outboxRows, RecordingChannel, sh, testConfig, V1, V3, type World } from './fixture.js';
import { useCounty } from './rig.js';

describe.each(databaseTargets())('reminders for a caseworker bound after the day’s run, on $name', (target) => {
  let database: Database;
  let world: World;
  let clock: Clock;
  let local: RecordingChannel;
  let telegram: RecordingChannel;
  let scheduler: Scheduler;
  let core: BotCore;
  /** 钱主任: on the roster with a caseload, not yet on any messenger. */
  let qian: number;
  let kids: Record<'overdue' | 'today' | 'later', number>;
  let updates = 0;

  useCounty(target, { also: ['telegram'] }, async (c) => {
    ({ database, world, clock, local, scheduler } = c);
    telegram = c.channels.get('telegram')!;
    const [row] = await database.db.insert(staff).values({ name: '钱主任', role: 'caseworker', areaCode: V1 }).returning({ id: staff.id });
    qian = row!.id;
    kids = {
      overdue: await world.addChild({ name: '周小雨', area: V1, due: '2026-11-13', caseworker: qian }),
      today: await world.addChild({ name: '吴天', area: V1, due: '2026-11-23', caseworker: qian }),
      later: await world.addChild({ name: '郑好', area: V1, due: '2026-12-20', caseworker: qian }),
    };
    // Someone already bound, so the morning's run has work of its own.
    await world.addChild({ name: '刘红', area: V3, due: '2026-11-23', caseworker: world.ids.sun });
    core = testCore(database.db, { clock: clock.now, config: testConfig() });
  });

  async function bind(channel: ChannelName, account: string, at: Date): Promise<string[]> {
    clock.set(at);
    const { code } = await createInvite(database.db, { role: 'caseworker', areaCode: V1, staffId: qian, now: at });
    const text = channel === 'telegram' ? `/start ${code}` : code;
    const outcome = await core.handle({ channel, id: `u${++updates}`, userId: account, chatId: account, event: { kind: 'text', text } });
    return outcome.replies.map((r) => r.text.map((t) => t.text).join(''));
  }

  async function sendAt(at: Date) {
    clock.set(at);
    return scheduler.sender.runOnce();
  }

  it('binding after the run: the due list arrives at once with its 记录 buttons, and the next morning as usual', async () => {
    await scheduler.tick(MONDAY_9);
    await sendAt(sh('2026-11-23T09:00:30'));
    expect(local.to('sun')).toHaveLength(1);

    const replies = await bind('telegram', '7001', sh('2026-11-23T10:30:00'));
    expect(replies[0]).toContain('欢迎，钱主任！账号已绑定。');
    await sendAt(sh('2026-11-23T10:30:05'));
    const [reminder, ...more] = telegram.to('7001');
    expect(more).toHaveLength(0);
    expect(reminder!.text).toContain('逾期 1 名，今天到期 1 名');
    expect(reminder!.text).toContain('周小雨（红旗村）· 逾期10天');
    expect(reminder!.text).toContain('吴天（红旗村）· 今天到期');
    expect(reminder!.text).not.toContain('郑好');
    expect(reminder!.message.buttons!.map((row) => row[0])).toEqual([
      { label: '记录 周小雨', data: `v.due.${kids.overdue}` },
      { label: '记录 吴天', data: `v.due.${kids.today}` },
    ]);
    // The others heard nothing new.
    expect(local.to('sun')).toHaveLength(1);

    // The button works: the visit starts about that child, dated today.
    const logging = await core.handle({ channel: 'telegram', id: `u${++updates}`, userId: '7001', chatId: '7001', event: { kind: 'button', data: `v.due.${kids.today}` } });
    expect(logging.replies.at(-1)!.text.map((t) => t.text).join('')).toBe('走访方式？');
    const [draft] = await database.db.select().from(conversations).where(eq(conversations.staffId, qian));
    expect(draft).toMatchObject({ flow: 'visit', answers: expect.objectContaining({ child: kids.today, date: '2026-11-23' }) });

    // Tuesday's run reminds 钱主任 like everyone else (周小雨 is still overdue; 吴天's visit is not saved).
    await scheduler.tick(sh('2026-11-24T09:00:00'));
    await sendAt(sh('2026-11-24T09:00:30'));
    expect(telegram.to('7001')).toHaveLength(2);
    expect(telegram.to('7001')[1]!.text).toContain('周小雨');
  });

  it('binding before the run adds nothing: the run itself reminds once', async () => {
    await bind('telegram', '7001', sh('2026-11-23T08:15:00'));
    expect((await outboxRows(database.db)).filter((r) => r.kind === 'reminder')).toHaveLength(0);
    await scheduler.tick(MONDAY_9);
    await sendAt(sh('2026-11-23T09:00:30'));
    expect(telegram.to('7001')).toHaveLength(1);
    // Binding a second account later the same day brings no second reminder.
    await bind('local', 'qian-web', sh('2026-11-23T11:00:00'));
    await sendAt(sh('2026-11-23T11:00:05'));
    expect(telegram.to('7001')).toHaveLength(1);
    expect(local.to('qian-web')).toHaveLength(0);
  });

  it('binding twice after the run reminds once', async () => {
    await scheduler.tick(MONDAY_9);
    await bind('telegram', '7001', sh('2026-11-23T10:30:00'));
    await bind('local', 'qian-web', sh('2026-11-23T10:31:00'));
    // The same account bound again with a new code (a lost phone, a second sheet).
    await database.db.delete(channelIdentities).where(eq(channelIdentities.externalId, '7001'));
    await bind('telegram', '7001', sh('2026-11-23T10:32:00'));
    await sendAt(sh('2026-11-23T10:32:05'));
    expect(telegram.to('7001')).toHaveLength(1);
    expect(local.to('qian-web')).toHaveLength(0);
    const logged = await database.db.select().from(reminderLog).where(eq(reminderLog.staffId, qian));
    expect(logged.map((r) => r.childId).sort()).toEqual([kids.overdue, kids.today].sort());
  });

  it('no run today (a weekend): binding queues nothing', async () => {
    await scheduler.tick(sh('2026-11-22T09:00:00'));
    await bind('telegram', '7001', sh('2026-11-22T10:00:00'));
    await sendAt(sh('2026-11-22T10:00:05'));
    expect(telegram.deliveries).toHaveLength(0);
    expect(await outboxRows(database.db)).toHaveLength(0);
  });

  it('binding in the evening’s quiet hours: nothing tonight, and the morning’s run reminds as usual', async () => {
    await scheduler.tick(MONDAY_9);
    await bind('telegram', '7001', sh('2026-11-23T21:30:00'));
    await sendAt(sh('2026-11-23T21:30:05'));
    await sendAt(sh('2026-11-23T23:59:00'));
    expect(telegram.deliveries).toHaveLength(0);
    const late = (await outboxRows(database.db)).find((r) => r.chatId === '7001')!;
    expect(late.notBefore.getTime()).toBe(sh('2026-11-24T08:00:00').getTime());
    await scheduler.tick(sh('2026-11-24T09:00:00'));
    await sendAt(sh('2026-11-24T09:00:30'));
    expect(telegram.to('7001')).toHaveLength(1);
    expect(telegram.to('7001')[0]!.text).toContain('11月24日');
    expect((await outboxRows(database.db)).find((r) => r.id === late.id)!.status).toBe('cancelled');
  });
});
