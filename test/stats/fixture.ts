// A hand-built county for the month's numbers (issue 14), on top of the scheduler's small county
// (test/scheduler/fixture.ts): children of several categories and risk levels, visits inside and outside their
// policy windows and across the month boundary, reports acknowledged at 10, 30 and 45 minutes, one closed in each
// month, a pending registration, and a child (with a visit and a report) in another county that must never count.
// Today is Monday 2026-11-23 (Shanghai); this month is counted 1–23 November, last month 1–31 October.
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { areas, children, reportEvents, reports, riskChanges, type RiskLevel } from '../../src/db/schema.js';
import { seedWorld, V1, V2, V3, type World } from '../scheduler/fixture.js';

export const OTHER_VILLAGE = '440104001001';

/** A Shanghai wall-clock time as an instant. */
export const cst = (local: string) => new Date(`${local}+08:00`);

export interface StatsWorld extends World {
  child: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'G' | 'X', number>;
}

export async function seedStatsWorld(db: Db): Promise<StatsWorld> {
  const world = await seedWorld(db);
  await db.insert(areas).values([
    { code: '440104', name: '越秀区', level: 'county', parentCode: '4401', path: '/44/4401/440104/' },
    { code: '440104001', name: '北京街道', level: 'township', parentCode: '440104', path: '/44/4401/440104/440104001/' },
    { code: OTHER_VILLAGE, name: '仓边社区', level: 'village', parentCode: '440104001', path: '/44/4401/440104/440104001/440104001001/' },
  ]);
  const { li, wang, sun, east } = world.ids;
  const add = async (name: string, area: string, categories: string[], risk: RiskLevel, caseworker: number, visitsOn: string[], due: string, status: 'active' | 'pending' = 'active', firstVisitFound: RiskLevel = risk) => {
    const id = await world.addChild({ name, area, due: null, caseworker, risk });
    for (const [i, on] of visitsOn.entries()) await world.addVisit({ child: id, staff: caseworker, on, at: cst(`${on}T18:00:00`), from: i === 0 ? firstVisitFound : risk, to: risk, next: due });
    await db.update(children).set({ categories, riskLevel: risk, nextVisitDue: due, status }).where(eq(children.id, id));
    return id;
  };
  const child = {
    // 红旗村 (东风镇)
    A: await add('甲', V1, ['left_behind'], 'green', li, ['2026-10-20', '2026-11-10'], '2026-12-10'),
    B: await add('乙', V1, ['in_distress', 'disabled'], 'red', li, ['2026-10-05'], '2026-11-04'),
    C: await add('丙', V1, ['migrant'], 'yellow', li, [], '2026-11-01'),
    // 向阳村 (东风镇)
    D: await add('丁', V2, ['de_facto_unsupported', 'in_distress'], 'orange', wang, ['2026-09-30', '2026-11-01'], '2026-11-15'),
    E: await add('戊', V2, ['community_orphan'], 'green', wang, ['2026-08-15', '2026-10-31'], '2027-01-29'),
    // 青山村 (西岭镇)
    // Orange until the visit of 20 November lowered him to yellow: October counts him orange.
    G: await add('庚', V3, ['institutional_orphan'], 'yellow', sun, ['2026-11-20', '2026-11-22'], '2026-12-22', 'active', 'orange'),
    // Another county: never counted.
    X: await add('癸', OTHER_VILLAGE, ['left_behind'], 'red', sun, ['2026-11-10'], '2026-11-17'),
  };
  // Registered, awaiting approval: not on the roster yet.
  await add('己', V2, ['left_behind'], 'red', wang, [], '2026-11-01', 'pending');
  // 乙 was yellow until a report raised her to red on 15 November: October counts her yellow.
  await db.insert(riskChanges).values({ childId: child.B, from: 'yellow', to: 'red', reason: 'report', at: cst('2026-11-15T09:00:00') });

  const report = async (area: string, child: number | undefined, filed: Date, ackAfterMinutes: number | null, closedAt?: Date) => {
    const id = await world.addReport({ area, reporter: area === V3 ? sun : li, at: filed, child });
    if (ackAfterMinutes !== null) {
      await db.update(reports).set({ status: 'acknowledged', acknowledgedBy: east, acknowledgedAt: new Date(filed.getTime() + ackAfterMinutes * 60_000) }).where(eq(reports.id, id));
    }
    if (closedAt) {
      await db.update(reports).set({ status: 'closed' }).where(eq(reports.id, id));
      await db.insert(reportEvents).values({ reportId: id, kind: 'closed', staffId: east, at: closedAt });
    }
    return id;
  };
  // November: acknowledged at 10 minutes and closed the next day; acknowledged at 45 minutes; filed at 00:30 on
  // 1 November in Shanghai (still 31 October in UTC) and never acknowledged.
  await report(V1, child.A, cst('2026-11-05T10:00:00'), 10, cst('2026-11-06T15:00:00'));
  await report(V2, child.D, cst('2026-11-12T20:00:00'), 45);
  await report(V3, child.G, cst('2026-11-01T00:30:00'), null);
  // October: acknowledged at exactly 30 minutes, closed on 2 November.
  await report(V1, child.B, cst('2026-10-20T09:00:00'), 30, cst('2026-11-02T11:00:00'));
  // Another county's report, quick and closed: never counted.
  await report(OTHER_VILLAGE, child.X, cst('2026-11-08T10:00:00'), 5, cst('2026-11-09T10:00:00'));
  return { ...world, child };
}
