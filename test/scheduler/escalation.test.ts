import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { auditLog, reportEvents, reports, visitEscalations } from '../../src/db/schema.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import { richToPlain } from '../../src/bot/message.js';
import { testCore } from '../support/core.js';
import { escalationListFor } from '../../src/scheduler/visitEscalation.js';
import { databaseTargets } from '../support/db.js';
import { Clock, outboxRows, RecordingChannel, sh, testConfig, V1, V3, type World } from './fixture.js';
import { useCounty } from './rig.js';

const MINUTE = 60_000;

describe.each(databaseTargets())('escalation ladders on $name', (target) => {
  let database: Database;
  let world: World;
  let clock: Clock;
  let local: RecordingChannel;
  let scheduler: Scheduler;
  useCounty(target, { at: sh('2026-11-23T10:00:00'), env: { DIGEST_CHARTS: '0' } }, (c) => ({ database, world, clock, local, scheduler } = c));

  /** A report button pressed by a staff member from their local account, through the real core. */
  const press = async (who: number, data: string, now: Date) => {
    const account = Object.entries(world.ids).find(([, id]) => id === who)![0];
    const core = testCore(database.db, { clock: () => now, config: testConfig() });
    const outcome = await core.handle({ channel: 'local', id: `${account}:${now.getTime()}:${data}`, userId: account, chatId: account, event: { kind: 'button', data } });
    return { ...outcome, text: outcome.replies.map((m) => richToPlain(m.text)).join('\n') };
  };

  const deliverAll = async () => {
    await scheduler.sender.runOnce();
  };

  it('an overdue visit reaches the township supervisor after 7 days and also the county after 14, once per level', async () => {
    const { ids } = world;
    const eight = await world.addChild({ name: '逾八天', area: V1, due: '2026-11-15', caseworker: ids.li });
    const seven = await world.addChild({ name: '逾七天', area: V1, due: '2026-11-16', caseworker: ids.li });
    const fifteen = await world.addChild({ name: '逾半月', area: V1, due: '2026-11-08', caseworker: ids.li });
    await scheduler.tick(sh('2026-11-23T00:01:00'));
    await scheduler.tick(sh('2026-11-23T00:02:00'));
    const rows = await database.db.select().from(visitEscalations).orderBy(asc(visitEscalations.childId), asc(visitEscalations.level));
    expect(rows.map((r) => [r.childId, r.dueOn, r.level])).toEqual([
      [eight, '2026-11-15', 0],
      [fifteen, '2026-11-08', 0],
      [fifteen, '2026-11-08', 1],
    ]);
    expect(rows.some((r) => r.childId === seven)).toBe(false);

    // The digests show each escalation to its level only.
    await scheduler.tick(sh('2026-11-23T08:00:00'));
    await deliverAll();
    const east = local.to('east')[0]!.text;
    const county = local.to('county')[0]!.text;
    expect(east).toContain('逾期超过 7 天，需要督办');
    expect(east).toContain('逾八天（红旗村，李主任）逾期8天');
    // Still on the township's list too: it is their area's child.
    expect(east).toContain('逾半月（红旗村，李主任）逾期15天');
    expect(county).toContain('逾半月（红旗村，李主任）逾期15天');
    expect(county).not.toContain('逾八天（');
    expect(local.to('west')[0]!.text).not.toContain('Overdue by more than');

    // The same lists, asked for directly (a command or menu entry).
    const listOf = async (id: number) => (await escalationListFor(database.db, await world.actor(id), { today: '2026-11-23', afterDays: 7 })).map((e) => `${e.name}:${e.level}`);
    expect(await listOf(ids.east)).toEqual(['逾半月:0', '逾八天:0']);
    expect(await listOf(ids.county)).toEqual(['逾半月:1']);
    expect(await listOf(ids.west)).toEqual([]);
    expect(await listOf(ids.admin)).toEqual([]);
    expect(await listOf(ids.li)).toEqual([]);

    // A visit moves the due date: the escalation is over.
    await world.addVisit({ child: eight, staff: ids.li, on: '2026-11-23', at: sh('2026-11-23T09:00:00') });
    await scheduler.tick(sh('2026-11-24T08:00:00'));
    clock.set(sh('2026-11-24T08:00:05'));
    await deliverAll();
    expect(local.to('east')[1]!.text).not.toContain('逾八天');
  });

  it('an unacknowledged report climbs a level every REPORT_ACK_MINUTES until someone acknowledges it', async () => {
    const filed = sh('2026-11-23T10:00:00');
    const id = await world.addReport({ area: V1, reporter: world.ids.li, at: filed });
    const at = (minutes: number) => new Date(filed.getTime() + minutes * MINUTE);

    await scheduler.tick(at(29));
    expect(await database.db.select().from(reportEvents)).toHaveLength(0);

    await scheduler.tick(at(30));
    clock.set(at(30));
    await deliverAll();
    expect(local.to('county')).toHaveLength(1);
    expect(local.to('county')[0]!.text).toContain('无人受理，已上报第1级');
    expect(local.to('county')[0]!.message.buttons!.flat().map((b) => b.data)).toEqual([`r.ack.${id}`, `r.open.${id}`]);
    // Ticks within the same period change nothing, on this instance or any.
    await scheduler.tick(at(31));
    await scheduler.tick(at(59));
    expect((await database.db.select().from(reportEvents)).map((e) => e.kind)).toEqual(['escalated']);

    await scheduler.tick(at(60));
    clock.set(at(60));
    await deliverAll();
    expect(local.to('admin')).toHaveLength(1);
    // Past the admins there is nobody further: they are reminded each period.
    await scheduler.tick(at(90));
    clock.set(at(90));
    await deliverAll();
    expect(local.to('admin')).toHaveLength(2);
    expect(local.to('admin')[1]!.text).toContain('已提交 90 分钟仍无人受理，请立即处理');
    const [r] = await database.db.select().from(reports).where(eq(reports.id, id));
    expect(r!.escalationLevel).toBe(2);

    // The township supervisor acknowledges; everyone alerted and the reporter hear of it; no more escalation.
    const acked = await press(world.ids.east, `r.ack.${id}`, at(95));
    expect(acked.toast).toBe('已受理');
    const [after] = await database.db.select().from(reports).where(eq(reports.id, id));
    expect(after!.status).toBe('acknowledged');
    expect(after!.acknowledgedBy).toBe(world.ids.east);
    clock.set(at(95));
    await deliverAll();
    expect(local.to('county').at(-1)!.text).toContain('已由 赵督导员 受理');
    expect(local.to('admin').at(-1)!.text).toContain('已由 赵督导员 受理');
    expect(local.to('li').at(-1)!.text).toContain('您提交的报告 BG-');
    expect(local.to('li').at(-1)!.text).not.toContain('赵督导员');
    await scheduler.tick(at(200));
    const kinds = (await database.db.select().from(reportEvents).orderBy(asc(reportEvents.id))).map((e) => e.kind);
    expect(kinds).toEqual(['escalated', 'escalated', 'escalated', 'acknowledged']);

    // A second press, by anyone, says who took it.
    const again = await press(world.ids.county, `r.ack.${id}`, at(96));
    expect(again.text).toContain('已由 赵督导员 于');
  });

  it('only handlers may acknowledge or open a report; the reporter is named to handlers only', async () => {
    const id = await world.addReport({ area: V1, reporter: world.ids.li, at: sh('2026-11-23T09:00:00') });
    const now = sh('2026-11-23T09:10:00');
    for (const who of [world.ids.li, world.ids.wang, world.ids.west]) {
      const a = await press(who, `r.ack.${id}`, now);
      expect(a.text).toMatch(/^(找不到这份报告，或您无权处理。|Report not found, or not yours to handle\.)$/);
      const o = await press(who, `r.open.${id}`, now);
      expect(JSON.stringify(o.replies)).not.toContain('李主任');
    }
    const [r] = await database.db.select().from(reports).where(eq(reports.id, id));
    expect(r!.status).toBe('open');
    const { text } = await press(world.ids.county, `r.open.${id}`, now);
    expect(text).toContain('报告人：李主任（仅处理人可见）');
    expect(text).toContain('长期无人照料');
    const reads = await database.db.select().from(auditLog).where(eq(auditLog.action, 'report.read'));
    expect(reads.map((x) => x.actorStaffId)).toEqual([world.ids.county]);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'report.denied'))).toHaveLength(6);
    for (const forged of ['r.ack.', 'r.ack.1x', 'r.open.99999', 'r.ack.-1']) {
      const a = await press(world.ids.admin, forged, now);
      expect(a.text).toBe('找不到这份报告，或您无权处理。');
    }
  });

  it('a report in another township escalates along its own branch', async () => {
    const filed = sh('2026-11-23T10:00:00');
    await world.addReport({ area: V3, reporter: world.ids.sun, at: filed });
    await scheduler.tick(new Date(filed.getTime() + 30 * MINUTE));
    clock.set(new Date(filed.getTime() + 30 * MINUTE));
    await deliverAll();
    expect(local.to('county')).toHaveLength(1);
    expect(local.to('east')).toHaveLength(0);
    const urgent = (await outboxRows(database.db)).every((r) => r.urgent);
    expect(urgent).toBe(true);
  });
});
