import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { auditLog, conversations, jobRuns, processedInbound, reminderLog, snoozes } from '../../src/db/schema.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import { handleSnooze } from '../../src/scheduler/snooze.js';
import { databaseTargets } from '../support/db.js';
import { Clock, MONDAY_9, outboxRows, RecordingChannel, sh, testConfig, TZ, V1, V2, V3, type World } from './fixture.js';
import { useCounty } from './rig.js';

describe.each(databaseTargets())('caseworker reminders on $name', (target) => {
  let database: Database;
  let world: World;
  let clock: Clock;
  let local: RecordingChannel;
  let telegram: RecordingChannel;
  let scheduler: Scheduler;
  let kids: Record<'ming' | 'fang' | 'wei' | 'later' | 'hong' | 'calm' | 'orphan', number>;

  useCounty(target, { also: ['telegram'] }, (c) => {
    ({ database, world, clock, local, scheduler } = c);
    telegram = c.channels.get('telegram')!;
  });

  beforeEach(async () => {
    const { ids } = world;
    kids = {
      // 李主任's caseload: overdue across a month boundary, due today, due later.
      ming: await world.addChild({ name: '王小明', area: V1, due: '2026-10-30', caseworker: ids.li }),
      fang: await world.addChild({ name: '李芳', area: V1, due: '2026-11-23', caseworker: ids.li }),
      wei: await world.addChild({ name: '张伟', area: V2, due: '2026-11-18', caseworker: ids.li }),
      later: await world.addChild({ name: '陈晨', area: V1, due: '2026-12-02', caseworker: ids.li }),
      // 王主任: one due today. 孙主任: nothing due.
      hong: await world.addChild({ name: '刘红', area: V2, due: '2026-11-23', caseworker: ids.wang }),
      calm: await world.addChild({ name: '赵静', area: V3, due: '2027-01-10', caseworker: ids.sun }),
      // Nobody's: never reminded.
      orphan: await world.addChild({ name: '钱多', area: V3, due: '2026-11-01' }),
    };
  });

  it('sends each caseworker one message on every account, overdue first with days shown, and nothing to those with nothing due', async () => {
    await scheduler.tick(MONDAY_9);
    await scheduler.sender.runOnce();
    const li = local.to('li');
    expect(li).toHaveLength(1);
    expect(telegram.to('1001')).toHaveLength(1);
    expect(li[0]!.text).toContain('逾期 2 名，今天到期 1 名');
    const order = ['王小明', '张伟', '李芳'].map((n) => li[0]!.text.indexOf(n));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(li[0]!.text).toContain('王小明（红旗村）· 逾期24天');
    expect(li[0]!.text).toContain('张伟（向阳村）· 逾期5天');
    expect(li[0]!.text).not.toContain('陈晨');
    expect(li[0]!.message.buttons![0]).toEqual([
      { label: '记录 王小明', data: `v.due.${kids.ming}` },
      { label: '推迟1天', data: `rm.snooze.${kids.ming}.1` },
      { label: '推迟3天', data: `rm.snooze.${kids.ming}.3` },
    ]);
    expect(local.to('wang')[0]!.text).toContain('刘红（向阳村）· 今天到期');
    expect(local.to('sun')).toHaveLength(0);
    expect(local.deliveries.some((d) => d.text.includes('钱多'))).toBe(false);
  });

  it('reminds each child at most once a day, however often the job runs', async () => {
    await scheduler.tick(MONDAY_9);
    await scheduler.tick(new Date(MONDAY_9.getTime() + 60_000));
    // Even a second scheduler that forgot the job claim finds every child logged already.
    const { queueReminders } = await import('../../src/scheduler/reminders.js');
    const again = await queueReminders(database.db, testConfig(), new Date(MONDAY_9.getTime() + 120_000));
    expect(again.messages).toBe(0);
    const logged = await database.db.select().from(reminderLog);
    expect(logged).toHaveLength(4);
    expect((await outboxRows(database.db)).filter((r) => r.kind === 'reminder')).toHaveLength(3);
  });

  it('queued in parallel shares of caseworkers, reminds exactly as one run does: shares cover every staff id once', async () => {
    const { caseworkerShares, queueReminders } = await import('../../src/scheduler/reminders.js');
    const shares = await caseworkerShares(database.db, 3);
    expect(shares).toHaveLength(3);
    expect(shares[0]!.from).toBe(-2147483648);
    expect(shares.at(-1)!.to).toBe(2147483647);
    for (let i = 1; i < shares.length; i++) expect(shares[i]!.from).toBe(shares[i - 1]!.to + 1);
    const run = await queueReminders(database.db, testConfig(), MONDAY_9, 3);
    expect(run).toMatchObject({ caseworkers: 2, children: 4, messages: 3 });
    expect(await database.db.select().from(reminderLog)).toHaveLength(4);
    const reminders = (await outboxRows(database.db)).filter((r) => r.kind === 'reminder');
    expect(reminders.map((r) => r.chatId).sort()).toEqual(['1001', 'li', 'wang']);
  });

  it('does not remind at weekends (the default cron is 09:00 on weekdays) and catches up after a late start', async () => {
    await scheduler.tick(sh('2026-11-22T09:00:00'));
    expect(await outboxRows(database.db)).toHaveLength(0);
    await scheduler.tick(sh('2026-11-23T09:20:00'));
    expect((await outboxRows(database.db)).filter((r) => r.kind === 'reminder')).toHaveLength(3);
  });

  it('drops a stale reminder instead of sending it late', async () => {
    await scheduler.tick(MONDAY_9);
    clock.set(sh('2026-11-24T00:00:01'));
    const report = await scheduler.sender.runOnce();
    expect(report.sent).toBe(0);
    expect((await outboxRows(database.db)).every((r) => r.status === 'cancelled')).toBe(true);
  });

  it('leaves out a child visited between queueing and sending, and cancels a reminder with nobody left', async () => {
    await scheduler.tick(MONDAY_9);
    clock.set(sh('2026-11-23T09:00:30'));
    await world.addVisit({ child: kids.hong, staff: world.ids.wang, on: '2026-11-23', at: clock.now() });
    await world.addVisit({ child: kids.ming, staff: world.ids.li, on: '2026-11-23', at: clock.now() });
    await scheduler.sender.runOnce();
    expect(local.to('wang')).toHaveLength(0);
    const li = local.to('li')[0]!.text;
    expect(li).not.toContain('王小明');
    expect(li).toContain('逾期 1 名，今天到期 1 名');
    const wangRow = (await outboxRows(database.db)).find((r) => r.chatId === 'wang')!;
    expect(wangRow.status).toBe('cancelled');
  });

  it('snoozing skips the child for the next days, then the reminder comes back', async () => {
    const li = await world.actor(world.ids.li);
    const answer = await handleSnooze(database.db, li, `rm.snooze.${kids.fang}.1`, { tz: TZ, defaultLocale: 'zh-CN', now: MONDAY_9, channel: 'local' });
    expect(answer.replies[0]!.text[0]!.text).toContain('1天内不再提醒李芳');
    expect(answer.replies[0]!.text[0]!.text).toContain('11月25日起恢复');
    const [row] = await database.db.select().from(snoozes).where(and(eq(snoozes.staffId, li.staffId), eq(snoozes.childId, kids.fang)));
    expect(row!.until).toBe('2026-11-24');
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'reminder.snooze'))).toHaveLength(1);

    await scheduler.tick(sh('2026-11-24T09:00:00'));
    clock.set(sh('2026-11-24T09:00:10'));
    await scheduler.sender.runOnce();
    expect(local.to('li')[0]!.text).not.toContain('李芳');
    await scheduler.tick(sh('2026-11-25T09:00:00'));
    clock.set(sh('2026-11-25T09:00:10'));
    await scheduler.sender.runOnce();
    expect(local.to('li')[1]!.text).toContain('李芳');
  });

  it('refuses a snooze for a child not on the caseload, and forged button data', async () => {
    const wang = await world.actor(world.ids.wang);
    const ctx = { tz: TZ, defaultLocale: 'zh-CN', now: MONDAY_9 };
    const notMine = await handleSnooze(database.db, wang, `rm.snooze.${kids.ming}.3`, ctx);
    // "Not yours" and "no such child" read the same, and name nobody.
    expect(notMine.toast).toBe('找不到这个儿童，或你无权查看。请从名单中选择。');
    expect((await handleSnooze(database.db, wang, 'rm.snooze.999999.1', ctx)).toast).toBe(notMine.toast);
    for (const forged of ['rm.snooze.abc.1', `rm.snooze.${kids.hong}.7`, `rm.snooze.${kids.hong}.1;drop`]) {
      const a = await handleSnooze(database.db, wang, forged, ctx);
      expect(a.toast).toBe('这个按钮已失效，请发送 /menu。');
    }
    expect(await database.db.select().from(snoozes)).toHaveLength(0);
    const west = await world.actor(world.ids.west);
    expect((await handleSnooze(database.db, west, 'rm.snooze.x', ctx)).toast).toBe('This button is no longer active; send /menu.');
  });

  it('waits while the caseworker is in the middle of a form, and sends once they finish', async () => {
    await world.startConversation(world.ids.li, sh('2026-11-23T08:58:00'));
    await scheduler.tick(MONDAY_9);
    const first = await scheduler.sender.runOnce();
    expect(first.postponed).toBe(2);
    expect(local.to('li')).toHaveLength(0);
    expect(local.to('wang')).toHaveLength(1);
    await database.db.update(conversations).set({ status: 'done', updatedAt: sh('2026-11-23T09:03:00') });
    clock.set(sh('2026-11-23T09:05:00'));
    await scheduler.sender.runOnce();
    expect(local.to('li')).toHaveLength(1);
    expect(telegram.to('1001')).toHaveLength(1);
  });

  it('reminds reassigned children to their new caseworker only, and nobody for a deactivated one', async () => {
    await world.reassign(kids.ming, world.ids.wang, sh('2026-11-20T10:00:00'));
    await world.deactivate(world.ids.li, sh('2026-11-21T10:00:00'));
    await scheduler.tick(MONDAY_9);
    await scheduler.sender.runOnce();
    expect(local.to('li')).toHaveLength(0);
    expect(telegram.deliveries).toHaveLength(0);
    expect(local.to('wang')[0]!.text).toContain('王小明');
  });

  it('forgets inbound ids after 48 hours, old job claims after a week and the reminder log after a month', async () => {
    const now = MONDAY_9;
    const hours = (h: number) => new Date(now.getTime() - h * 3_600_000);
    await database.db.insert(processedInbound).values([
      { key: 'telegram:old', at: hours(49) },
      { key: 'telegram:recent', at: hours(47) },
    ]);
    await database.db.insert(jobRuns).values([
      { job: 'report-escalation', runKey: 'old', startedAt: hours(24 * 8) },
      { job: 'report-escalation', runKey: 'recent', startedAt: hours(24 * 6) },
    ]);
    await database.db.insert(reminderLog).values([
      { childId: kids.ming, day: '2026-10-01', staffId: world.ids.li },
      { childId: kids.ming, day: '2026-11-01', staffId: world.ids.li },
    ]);
    await scheduler.tick(now);
    expect((await database.db.select().from(processedInbound)).map((r) => r.key)).toEqual(['telegram:recent']);
    const runs = await database.db.select().from(jobRuns).where(eq(jobRuns.job, 'report-escalation'));
    const keys = runs.map((r) => r.runKey);
    expect(keys).toContain('recent');
    expect(keys).not.toContain('old');
    const days = (await database.db.select().from(reminderLog).where(eq(reminderLog.childId, kids.ming))).map((r) => r.day).sort();
    expect(days).toEqual(['2026-11-01', '2026-11-23']);
  });
});
