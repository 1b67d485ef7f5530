// A report after filing, through the real core and scheduler: every alert (first, escalated, repeated, stalled)
// carries the same facts; the ladder stops at acknowledgement and restarts after 24 h without action; a follow-up
// visit reaches the caseworker's reminders.
import type { BotCore } from '../../src/bot/core.js';
import { richToPlain } from '../../src/bot/message.js';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { children, reportEvents, reports } from '../../src/db/schema.js';
import { alertReportHandlers } from '../../src/flows/reportAlert.js';
import { buildExport } from '../../src/roster/export.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import { testCore } from '../support/core.js';
import { databaseTargets, serverUrl } from '../support/db.js';
import { CoreDriver } from '../support/chat.js';
import { demoWorld, TestClock } from '../support/world.js';
import { Clock, RecordingChannel, sh, testConfig, V1, type World } from '../scheduler/fixture.js';
import { useCounty } from '../scheduler/rig.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(databaseTargets())('handling a report on $name', (target) => {
  let database: Database;
  let world: World;
  let clock: Clock;
  let local: RecordingChannel;
  let scheduler: Scheduler;
  let core: BotCore;

  useCounty(target, { at: sh('2026-11-23T10:00:00') }, (c) => {
    ({ database, world, clock, local, scheduler } = c);
    core = testCore(database.db, { clock: clock.now, config: testConfig() });
  });

  /** Runs the scheduler's minute at `at` and delivers what it queued. */
  const minute = async (at: Date) => {
    clock.set(at);
    await scheduler.tick(at);
    await scheduler.sender.runOnce();
  };
  /** A staff member's local account presses a button or types, as the local chat does. */
  const act = async (who: string, event: { kind: 'button'; data: string } | { kind: 'text'; text: string }) => {
    const outcome = await core.handle({ channel: 'local', id: `${who}:${clock.now().getTime()}:${Math.random()}`, userId: who, chatId: who, event });
    return outcome.replies.map((m) => richToPlain(m.text)).join('\n');
  };

  it('first, escalated and repeated alerts carry the same facts, the reporter included; only the reason line differs', async () => {
    const filed = clock.now();
    const child = await world.addChild({ name: '刘小妹', area: V1, due: '2026-12-20', caseworker: world.ids.li });
    const id = await world.addReport({ area: V1, reporter: world.ids.li, at: filed, child });
    await database.db.transaction((tx) => alertReportHandlers(tx, id, 0, filed, testConfig()));
    await minute(filed);
    await minute(new Date(filed.getTime() + 30 * MINUTE));
    await minute(new Date(filed.getTime() + 60 * MINUTE));
    await minute(new Date(filed.getTime() + 90 * MINUTE));
    const first = local.to('east')[0]!.text;
    const escalated = local.to('county')[0]!.text;
    const [toAdmins, repeated] = local.to('admin').map((d) => d.text);
    const facts = (text: string) => text.split('\n').filter((line) => !line.startsWith('⏫'));
    expect(escalated).toContain('⏫ 无人受理，已上报第1级');
    expect(toAdmins).toContain('⏫ 无人受理，已上报第2级');
    expect(repeated).toContain('⏫ 已提交 90 分钟仍无人受理，请立即处理');
    for (const again of [escalated, toAdmins!, repeated!]) expect(facts(again)).toEqual(facts(first));
    expect(facts(first)).toEqual([
      '🚨 强制报告 BG-2026-000001',
      '⚠️ 儿童处于紧急危险',
      '儿童：刘小妹（红旗村）',
      '情形：被遗弃/长期无人照料',
      '时间：今天上午；地点：村口',
      '已报警 J-001',
      '状态：已提交，待受理',
      '提交时间：11月23日 10:00',
      '报告人：李主任（仅处理人可见）',
    ]);
    // The same buttons on every alert.
    const buttons = new Set([local.to('east')[0]!, local.to('county')[0]!, ...local.to('admin')].map((d) => JSON.stringify(d.message.buttons)));
    expect(buttons.size).toBe(1);
  });

  it('acknowledging stops the ladder; an acknowledged report left without action for 24 h climbs again, once a day', async () => {
    const filed = clock.now();
    const id = await world.addReport({ area: V1, reporter: world.ids.li, at: filed });
    clock.set(new Date(filed.getTime() + 10 * MINUTE));
    expect(await act('east', { kind: 'button', data: `r.ack.${id}` })).toContain('您已受理报告 BG-2026-000001');
    await minute(new Date(filed.getTime() + 40 * MINUTE));
    await minute(new Date(filed.getTime() + 10 * MINUTE + 24 * HOUR - MINUTE));
    expect(local.to('county')).toHaveLength(0);
    await minute(new Date(filed.getTime() + 10 * MINUTE + 24 * HOUR));
    expect(local.to('county')).toHaveLength(1);
    const stalled = local.to('county')[0]!;
    expect(stalled.text).toContain('⏫ 已受理但 24 小时无处置记录，已上报');
    expect(stalled.text).toContain('状态：已受理');
    expect(stalled.message.buttons!.flat().map((b) => b.data)).toEqual([`r.open.${id}`]);
    // Nothing more the next minute, nor within the next day.
    await minute(new Date(filed.getTime() + 11 * MINUTE + 24 * HOUR));
    await minute(new Date(filed.getTime() + 9 * MINUTE + 48 * HOUR));
    expect(local.to('county')).toHaveLength(1);
    expect(local.to('admin')).toHaveLength(0);
    // An action recorded resets the clock: the next day passes quietly.
    clock.set(new Date(filed.getTime() + 30 * HOUR));
    expect(await act('county', { kind: 'button', data: `r.act.${id}` })).toContain('采取了什么处置措施');
    expect(await act('county', { kind: 'text', text: '就医' })).toContain('补充说明');
    expect(await act('county', { kind: 'text', text: '县医院' })).toContain('已记录：就医');
    await minute(new Date(filed.getTime() + 53 * HOUR));
    expect(local.to('admin')).toHaveLength(0);
    await minute(new Date(filed.getTime() + 54 * HOUR + MINUTE));
    expect(local.to('admin')).toHaveLength(1);
    expect(local.to('admin')[0]!.text).toContain('已受理但 24 小时无处置记录');
  });

  it('the export carries status, actions, follow-up, outcome and every time in local time', async () => {
    const filed = clock.now();
    const child = await world.addChild({ name: '刘小妹', area: V1, due: '2026-12-20', caseworker: world.ids.li });
    const id = await world.addReport({ area: V1, reporter: world.ids.li, at: filed, child });
    clock.set(new Date(filed.getTime() + 5 * MINUTE));
    await act('east', { kind: 'button', data: `r.act.${id}` });
    await act('east', { kind: 'text', text: '报警/公安介入' });
    await act('east', { kind: 'text', text: '派出所已出警' });
    clock.set(new Date(filed.getTime() + 2 * HOUR));
    await act('east', { kind: 'button', data: `r.fu.${id}` });
    await act('east', { kind: 'text', text: '3' });
    await act('east', { kind: 'button', data: `r.close.${id}` });
    await act('east', { kind: 'text', text: '转交有关部门' });
    const outcome = await core.handle({ channel: 'local', id: `close-note`, userId: 'east', chatId: 'east', event: { kind: 'text', text: '已移交县公安局' } });
    const confirm = outcome.replies.flatMap((m) => (m.buttons ?? []).flat()).find((b) => b.label.includes('确认提交'))!;
    expect(await act('east', { kind: 'button', data: confirm.data })).toContain('已结案（转交有关部门）');
    const table = await buildExport(database.db, { kind: 'reports', areaPath: '/44/', fullId: false, showReporter: false, locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    const row = Object.fromEntries(table.header.map((name, i) => [name, table.rows[0]![i]]));
    expect(row).toMatchObject({
      报告时间: '2026-11-23 10:00',
      处理状态: '已结案',
      受理时间: '2026-11-23 10:05',
      处置措施: '2026-11-23 10:05 赵督导员 报警/公安介入（派出所已出警）',
      回访期限: '2026-11-26',
      结案时间: '2026-11-23 12:00',
      处置结果: '转交有关部门',
      结案说明: '已移交县公安局',
    });
  });

  it('a follow-up visit set on a report appears in the caseworker’s reminders on its day', async () => {
    const child = await world.addChild({ name: '刘小妹', area: V1, due: '2026-12-20', caseworker: world.ids.li });
    const id = await world.addReport({ area: V1, reporter: world.ids.wang, at: clock.now(), child });
    expect(await act('east', { kind: 'button', data: `r.fu.${id}` })).toContain('几天内由儿童主任回访刘小妹');
    expect(await act('east', { kind: 'text', text: '3天' })).toContain('已安排回访：刘小妹，11月26日前（已提醒李主任）');
    await minute(sh('2026-11-23T10:01:00'));
    expect(local.to('li').map((d) => d.text)).toContain('📅 督导员请您在11月26日前回访刘小妹。');
    await minute(sh('2026-11-25T09:00:00'));
    expect(local.to('li').some((d) => d.text.includes('走访提醒'))).toBe(false);
    await minute(sh('2026-11-26T09:00:00'));
    const reminder = local.to('li').find((d) => d.text.includes('走访提醒'));
    expect(reminder?.text).toContain('刘小妹（红旗村）· 今天到期');
    // The reporter (another caseworker) hears that it was acted on — not who acted, nor what about the child.
    expect(local.to('wang').map((d) => d.text)).toEqual(['✅ 您提交的报告 BG-2026-000001 已受理（11月23日 10:00），督导员正在处理。']);
  });
});

describe.skipIf(!serverUrl)('two handlers closing one report at once, on the real PostgreSQL server', () => {
  it('one wins; the other waits for the row, is told who closed it, and nothing is recorded twice', async () => {
    const target = databaseTargets().find((t) => t.name === 'postgres')!;
    const database = await target.openDemo();
    try {
      const world = await demoWorld(database.db);
      const core = testCore(database.db, { clock: new TestClock().now });
      const chat = new CoreDriver(core, world, database.db);
      const [child] = await database.db.select({ id: children.id }).from(children).where(eq(children.name, '周杰'));
      const [report] = await database.db
        .insert(reports)
        .values({ ref: 'BG-2026-000001', childId: child!.id, areaCode: '990101001001', situations: ['abandonment'], observed: '独自在家', occurredWhen: '今天', occurredWhere: '家中', immediateDanger: false, policeTold: false, reporterStaffId: world.staffId('李主任'), channel: 'local' })
        .returning({ id: reports.id });
      for (const [who, outcome] of [['赵督导员', '已妥善处置'], ['周管理员', '转交有关部门']] as const) {
        await chat.send(who, { kind: 'button', data: `r.close.${report!.id}` });
        await chat.press(who, outcome);
        await chat.say(who, `${who}的结案说明`);
      }
      const [zhao, zhou] = await Promise.all([chat.press('赵督导员', '确认提交'), chat.press('周管理员', '确认提交')]);
      const answers = [zhao, zhou].map((r) => r.map((m) => m.text).join('\n'));
      const winner = answers.findIndex((a) => a.includes('☑️ 报告 BG-2026-000001 已结案'));
      expect(winner).toBeGreaterThanOrEqual(0);
      const winnerName = winner === 0 ? '赵督导员' : '周管理员';
      expect(answers[1 - winner]).toContain(`报告 BG-2026-000001 已由 ${winnerName} 于 11月23日 10:00 结案。`);
      const closed = await database.db.select().from(reportEvents).where(and(eq(reportEvents.reportId, report!.id), eq(reportEvents.kind, 'closed')));
      expect(closed).toHaveLength(1);
      expect(closed[0]!.staffId).toBe(world.staffId(winnerName));
    } finally {
      await database.close();
    }
  });
});
