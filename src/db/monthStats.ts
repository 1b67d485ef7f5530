// The month's numbers a township or county reports upward (issue 14): for an area's subtree, one row per area one
// level below it, computed in SQL under the same scoping rules as every other read (children.ts) — a child, visit or
// report outside the area, or outside what the reader may see, is never counted.
//
// What each figure means (the README and docs/admin.md say the same):
// - children: on the roster now (active), by category (a child may count under several) and by risk level as it
//   stood at the end of the counted period (later risk changes and visits taken back);
// - within policy: children whose latest visit on or before the period's last day is no older than their visit
//   policy interval (category × risk level, the strictest row) — 按规定频次走访;
// - visits: visits dated in the period, and how many children they reached;
// - overdue now: children whose next visit is past due today, whatever month is asked;
// - reports: mandatory reports filed in the period, those of them acknowledged within REPORT_ACK_MINUTES of filing,
//   and reports closed (结案) in the period.
import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import { childCategories, riskLevels, type ChildCategory, type RiskLevel } from '../domain/categories.js';
import { defaultIntervals } from '../domain/visitPolicy.js';
import { zonedInstant } from '../scheduler/time.js';
import { addDays } from '../domain/dates.js';
import type { Actor } from './actor.js';
import { childScope, pathUnder, reportScope } from './children.js';
import type { Conn } from './client.js';
import { areas, children, type AreaLevel, reportEvents, reports, riskChanges, visitPolicy, visits } from './schema.js';

export interface StatsFigures {
  children: number;
  byCategory: Record<ChildCategory, number>;
  byRisk: Record<RiskLevel, number>;
  withinPolicy: number;
  visits: number;
  childrenVisited: number;
  overdueNow: number;
  reportsFiled: number;
  reportsAckedInTime: number;
  reportsClosed: number;
}

export interface StatsRow {
  /** The area one level below the root; the root itself for what lies directly in it. */
  code: string;
  name: string;
  /** The row's area level (township, village …); the root's own row is marked `own`. */
  level: AreaLevel;
  own: boolean;
  figures: StatsFigures;
}

export interface AreaStats {
  rows: StatsRow[];
  total: StatsFigures;
}

export interface StatsQuery {
  area: { code: string; name: string; path: string; level: AreaLevel };
  /** First and last day counted (calendar days in `timeZone`). */
  from: string;
  through: string;
  today: string;
  timeZone: string;
  ackMinutes: number;
  /** Whose rights the figures are read with; undefined: the administrator at the terminal (everything in the area). */
  actor?: Actor;
}

export function emptyFigures(): StatsFigures {
  return {
    children: 0,
    byCategory: Object.fromEntries(childCategories.map((c) => [c, 0])) as Record<ChildCategory, number>,
    byRisk: Object.fromEntries(riskLevels.map((r) => [r, 0])) as Record<RiskLevel, number>,
    withinPolicy: 0,
    visits: 0,
    childrenVisited: 0,
    overdueNow: 0,
    reportsFiled: 0,
    reportsAckedInTime: 0,
    reportsClosed: 0,
  };
}

const int = (expr: SQL) => sql<number>`(${expr})::int`;

export async function areaStats(conn: Conn, q: StatsQuery): Promise<AreaStats> {
  const periodStart = zonedInstant(q.from, 0, q.timeZone).toISOString();
  const periodEnd = zonedInstant(addDays(q.through, 1), 0, q.timeZone).toISOString();
  // The first path segment below the root: the row an area belongs to ('' for the root itself).
  // The offset is written into the statement (an integer we compute), so the select list and GROUP BY read alike.
  const rowOf = sql<string>`split_part(substr(${areas.path}, ${sql.raw(String(q.area.path.length + 1))}), '/', 1)`;
  const inArea = pathUnder(areas.path, q.area.path);
  const childRights = q.actor ? childScope(q.actor) : sql`true`;
  const reportRights = q.actor ? reportScope(q.actor) : sql`true`;

  // The level in force at the period's end: the level before the first change after it — a recorded risk change
  // (reports, supervisors) or a visit, which keeps the level it found — else today's level.
  const riskThen = sql<RiskLevel>`coalesce((select later.before from (
      select ${riskChanges.from} as before, ${riskChanges.at} as at, 0 as kind, ${riskChanges.id} as id from ${riskChanges}
        where ${riskChanges.childId} = ${children.id} and ${riskChanges.at} >= ${periodEnd}::timestamptz
      union all
      select ${visits.riskBefore}, ${visits.createdAt}, 1, ${visits.id} from ${visits}
        where ${visits.childId} = ${children.id} and ${visits.createdAt} >= ${periodEnd}::timestamptz
    ) later order by later.at, later.kind, later.id limit 1), ${children.riskLevel})`;
  const roster = conn
    .select({ id: children.id, categories: children.categories, nextDue: children.nextVisitDue, row: rowOf.as('row'), risk: riskThen.as('risk') })
    .from(children)
    .innerJoin(areas, eq(areas.code, children.areaCode))
    .where(and(eq(children.status, 'active'), inArea, childRights))
    .as('roster');
  const fallback = sql.join(
    riskLevels.map((r) => sql`when ${r} then ${defaultIntervals[r]}::int`),
    sql` `,
  );
  const interval = sql`coalesce((select min(${visitPolicy.intervalDays}) from ${visitPolicy}
    where ${visitPolicy.riskLevel} = ${roster.risk} and ${visitPolicy.intervalDays} > 0
      and (${visitPolicy.category} = '*' or ${visitPolicy.category} = any(${roster.categories}))),
    case ${roster.risk} ${fallback} end)`;
  const withinPolicy = sql`exists (select 1 from ${visits} where ${visits.childId} = ${roster.id}
    and ${visits.visitedOn} <= ${q.through}::date and ${visits.visitedOn} >= ${q.through}::date - ${interval})`;
  const childRows = await conn
    .select({
      row: roster.row,
      children: int(sql`count(*)`),
      withinPolicy: int(sql`count(*) filter (where ${withinPolicy})`),
      overdueNow: int(sql`count(*) filter (where ${roster.nextDue} < ${q.today}::date)`),
      ...Object.fromEntries(childCategories.map((c) => [`c_${c}`, int(sql`count(*) filter (where ${c} = any(${roster.categories}))`)])),
      ...Object.fromEntries(riskLevels.map((r) => [`r_${r}`, int(sql`count(*) filter (where ${roster.risk} = ${r})`)])),
    })
    .from(roster)
    .groupBy(roster.row);

  const visitRows = await conn
    .select({ row: rowOf, visits: int(sql`count(*)`), childrenVisited: int(sql`count(distinct ${visits.childId})`) })
    .from(visits)
    .innerJoin(children, eq(children.id, visits.childId))
    .innerJoin(areas, eq(areas.code, children.areaCode))
    .where(and(gte(visits.visitedOn, q.from), lte(visits.visitedOn, q.through), inArea, childRights))
    .groupBy(rowOf);

  const filed = sql`${reports.createdAt} >= ${periodStart}::timestamptz and ${reports.createdAt} < ${periodEnd}::timestamptz`;
  const closed = sql`exists (select 1 from ${reportEvents} where ${reportEvents.reportId} = ${reports.id} and ${reportEvents.kind} = 'closed'
    and ${reportEvents.at} >= ${periodStart}::timestamptz and ${reportEvents.at} < ${periodEnd}::timestamptz)`;
  const reportRows = await conn
    .select({
      row: rowOf,
      reportsFiled: int(sql`count(*) filter (where ${filed})`),
      reportsAckedInTime: int(sql`count(*) filter (where ${filed} and ${reports.acknowledgedAt} <= ${reports.createdAt} + ${q.ackMinutes}::int * interval '1 minute')`),
      reportsClosed: int(sql`count(*) filter (where ${closed})`),
    })
    .from(reports)
    .innerJoin(areas, eq(areas.code, reports.areaCode))
    .where(and(inArea, reportRights, sql`(${filed} or ${closed})`))
    .groupBy(rowOf);

  const below = await conn
    .select({ code: areas.code, name: areas.name, level: areas.level })
    .from(areas)
    .where(eq(areas.parentCode, q.area.code))
    .orderBy(asc(areas.code));
  const rows = new Map<string, StatsRow>(below.map((a) => [a.code, { ...a, own: false, figures: emptyFigures() }]));
  const rowFor = (key: string): StatsFigures => {
    // An area under the root that is not its direct child cannot exist in a path tree; '' is the root itself.
    const code = key === '' ? q.area.code : key;
    let row = rows.get(code);
    if (!row) {
      row = { code, name: q.area.name, level: q.area.level, own: true, figures: emptyFigures() };
      rows.set(code, row);
    }
    return row.figures;
  };
  for (const r of childRows) {
    const f = rowFor(r.row);
    const counts = r as unknown as Record<string, number>;
    f.children = r.children;
    f.withinPolicy = r.withinPolicy;
    f.overdueNow = r.overdueNow;
    for (const c of childCategories) f.byCategory[c] = counts[`c_${c}`] ?? 0;
    for (const k of riskLevels) f.byRisk[k] = counts[`r_${k}`] ?? 0;
  }
  for (const r of visitRows) Object.assign(rowFor(r.row), { visits: r.visits, childrenVisited: r.childrenVisited });
  for (const r of reportRows) Object.assign(rowFor(r.row), { reportsFiled: r.reportsFiled, reportsAckedInTime: r.reportsAckedInTime, reportsClosed: r.reportsClosed });

  const list = [...rows.values()];
  return { rows: list, total: sumFigures(list.map((r) => r.figures)) };
}

/** The total of the rows: every child, visit and report belongs to exactly one row. */
export function sumFigures(list: StatsFigures[]): StatsFigures {
  const total = emptyFigures();
  for (const f of list) {
    for (const key of ['children', 'withinPolicy', 'visits', 'childrenVisited', 'overdueNow', 'reportsFiled', 'reportsAckedInTime', 'reportsClosed'] as const) total[key] += f[key];
    for (const c of childCategories) total.byCategory[c] += f.byCategory[c];
    for (const r of riskLevels) total.byRisk[r] += f.byRisk[r];
  }
  return total;
}
