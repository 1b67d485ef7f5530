// What the daily digests are built from, read once for the whole database and grouped by area, so that each
// supervisor's digest is a walk over the areas of their subtree. Everything counts children by their *current*
// assignment; a child whose caseworker was deactivated counts as unassigned, never under the old name.
import { and, eq, gte, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { addDays, daysBetween } from './time.js';
import { areas, assignments, channelIdentities, children, outbox, reports, staff, visits, type RiskLevel } from '../db/schema.js';

export interface AreaInfo {
  code: string;
  name: string;
  path: string;
}

export interface DueCell {
  staffId: number | null;
  staffName: string | null;
  overdue: number;
  dueToday: number;
}

export interface RiskRise {
  childId: number;
  name: string;
  from: RiskLevel;
  to: RiskLevel;
}

export interface Escalated {
  childId: number;
  name: string;
  overdueDays: number;
  due: string;
  caseworker: string | null;
}

export interface DigestSnapshot {
  today: string;
  yesterday: string;
  areas: Map<string, AreaInfo>;
  due: Map<string, DueCell[]>;
  visitsYesterday: Map<string, number>;
  riskRises: Map<string, RiskRise[]>;
  /** `open`: not yet acknowledged; `unclosed`: not closed, `ageDays` whole days since it was filed (the chart). */
  reports: Map<string, { ref: string; open: boolean; unclosed: boolean; ageDays: number; newYesterday: boolean }[]>;
  /** The Mondays of the last 8 weeks (this one last) and each area's visits in them, by visit date (the chart). */
  weeks: string[];
  visitsByWeek: Map<string, number[]>;
  escalations: Map<string, Escalated[]>;
  /** Overdue by more than this many days times (level + 1) reaches a recipient k supervised levels above. */
  escalateAfterDays: number;
  inactive: Map<string, { staffId: number; name: string }[]>;
  /** Paths of areas that have an active supervisor: they decide who is "level 0, level 1" for an escalation. */
  supervisedPaths: string[];
  dead: { count: number; kinds: string[] };
  /** Active supervisors and admins with at least one account: who gets a digest. */
  recipients: { staffId: number; name: string; role: 'supervisor' | 'admin'; areaCode: string }[];
}

const rank: Record<RiskLevel, number> = { green: 0, yellow: 1, orange: 2, red: 3 };
export const INACTIVE_DAYS = 14;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The Monday of `day`'s week and the `count - 1` Mondays before it, oldest first. */
export function lastMondays(day: string, count: number): string[] {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  const monday = addDays(day, -weekday);
  return Array.from({ length: count }, (_, i) => addDays(monday, -7 * (count - 1 - i)));
}

export async function loadDigestSnapshot(
  db: Db,
  o: { today: string; yesterday: string; yesterdayStart: Date; todayStart: Date; now: Date; escalateAfterDays: number },
): Promise<DigestSnapshot> {
  const snap: DigestSnapshot = {
    today: o.today,
    yesterday: o.yesterday,
    areas: new Map(),
    due: new Map(),
    visitsYesterday: new Map(),
    riskRises: new Map(),
    reports: new Map(),
    weeks: [],
    visitsByWeek: new Map(),
    escalations: new Map(),
    escalateAfterDays: o.escalateAfterDays,
    inactive: new Map(),
    supervisedPaths: [],
    dead: { count: 0, kinds: [] },
    recipients: [],
  };
  for (const a of await db.select({ code: areas.code, name: areas.name, path: areas.path }).from(areas)) snap.areas.set(a.code, a);

  const currentStaff = and(eq(assignments.childId, children.id), isNull(assignments.endedAt));
  const dueRows = await db
    .select({
      areaCode: children.areaCode,
      staffId: staff.id,
      staffName: staff.name,
      overdue: sql<number>`count(*) filter (where ${children.nextVisitDue} < ${o.today}::date)`.mapWith(Number),
      dueToday: sql<number>`count(*) filter (where ${children.nextVisitDue} = ${o.today}::date)`.mapWith(Number),
    })
    .from(children)
    .leftJoin(assignments, currentStaff)
    .leftJoin(staff, and(eq(staff.id, assignments.staffId), eq(staff.active, true)))
    .where(and(eq(children.status, 'active'), lte(children.nextVisitDue, o.today)))
    .groupBy(children.areaCode, staff.id, staff.name);
  for (const r of dueRows) push(snap.due, r.areaCode, { staffId: r.staffId, staffName: r.staffName, overdue: r.overdue, dueToday: r.dueToday });

  const logged = await db
    .select({ areaCode: children.areaCode, childId: children.id, name: children.name, from: visits.riskBefore, to: visits.riskAfter })
    .from(visits)
    .innerJoin(children, eq(children.id, visits.childId))
    .where(and(gte(visits.createdAt, o.yesterdayStart), lt(visits.createdAt, o.todayStart)));
  for (const v of logged) {
    snap.visitsYesterday.set(v.areaCode, (snap.visitsYesterday.get(v.areaCode) ?? 0) + 1);
    if ((v.to === 'red' || v.to === 'orange') && rank[v.to] > rank[v.from]) {
      push(snap.riskRises, v.areaCode, { childId: v.childId, name: v.name, from: v.from, to: v.to });
    }
  }

  const reportRows = await db
    .select({ ref: reports.ref, areaCode: reports.areaCode, status: reports.status, createdAt: reports.createdAt })
    .from(reports)
    .where(or(ne(reports.status, 'closed'), and(gte(reports.createdAt, o.yesterdayStart), lt(reports.createdAt, o.todayStart))));
  for (const r of reportRows) {
    push(snap.reports, r.areaCode, {
      ref: r.ref,
      open: r.status === 'draft' || r.status === 'open',
      unclosed: r.status !== 'closed',
      ageDays: Math.floor((o.now.getTime() - r.createdAt.getTime()) / 86_400_000),
      newYesterday: r.createdAt >= o.yesterdayStart && r.createdAt < o.todayStart,
    });
  }

  snap.weeks = lastMondays(o.today, 8);
  const weekly = await db
    .select({ areaCode: children.areaCode, day: visits.visitedOn, n: sql<number>`count(*)`.mapWith(Number) })
    .from(visits)
    .innerJoin(children, eq(children.id, visits.childId))
    .where(and(gte(visits.visitedOn, snap.weeks[0]!), lte(visits.visitedOn, o.today)))
    .groupBy(children.areaCode, visits.visitedOn);
  for (const v of weekly) {
    const counts = snap.visitsByWeek.get(v.areaCode) ?? snap.weeks.map(() => 0);
    counts[Math.floor(daysBetween(snap.weeks[0]!, v.day) / 7)]! += v.n;
    snap.visitsByWeek.set(v.areaCode, counts);
  }

  // From today's due dates (as the headline count), not from the escalation run's records, so a due date moved
  // after the run cannot drop a child from the list; each recipient keeps those late enough for their level.
  const escalated = await db
    .select({ childId: children.id, name: children.name, areaCode: children.areaCode, due: children.nextVisitDue, caseworker: staff.name })
    .from(children)
    .leftJoin(assignments, currentStaff)
    .leftJoin(staff, and(eq(staff.id, assignments.staffId), eq(staff.active, true)))
    .where(and(eq(children.status, 'active'), lt(children.nextVisitDue, addDays(o.today, -o.escalateAfterDays))));
  for (const e of escalated) {
    const overdue = daysBetween(e.due!, o.today);
    push(snap.escalations, e.areaCode, { childId: e.childId, name: e.name, overdueDays: overdue, due: e.due!, caseworker: e.caseworker });
  }

  const since = new Date(o.now.getTime() - INACTIVE_DAYS * 86_400_000);
  const quiet = await db
    .select({ staffId: staff.id, name: staff.name, areaCode: staff.areaCode })
    .from(staff)
    .where(
      and(
        eq(staff.role, 'caseworker'),
        eq(staff.active, true),
        lte(staff.createdAt, since),
        sql`not exists (select 1 from ${visits} v where v.staff_id = ${staff.id} and v.created_at >= ${since.toISOString()}::timestamptz)`,
      ),
    );
  for (const s of quiet) push(snap.inactive, s.areaCode, { staffId: s.staffId, name: s.name });

  const supervised = await db
    .selectDistinct({ path: areas.path })
    .from(staff)
    .innerJoin(areas, eq(areas.code, staff.areaCode))
    .where(and(eq(staff.role, 'supervisor'), eq(staff.active, true)));
  snap.supervisedPaths = supervised.map((s) => s.path);

  const dead = await db
    .select({ kind: outbox.kind, n: sql<number>`count(*)`.mapWith(Number) })
    .from(outbox)
    .where(and(eq(outbox.status, 'dead'), gte(outbox.notBefore, o.yesterdayStart)))
    .groupBy(outbox.kind);
  snap.dead = { count: dead.reduce((s, d) => s + d.n, 0), kinds: dead.map((d) => d.kind) };

  snap.recipients = (
    await db
      .selectDistinct({ staffId: staff.id, name: staff.name, role: staff.role, areaCode: staff.areaCode })
      .from(staff)
      .innerJoin(channelIdentities, eq(channelIdentities.staffId, staff.id))
      .where(and(eq(staff.active, true), inArray(staff.role, ['supervisor', 'admin'])))
  ).map((r) => ({ ...r, role: r.role as 'supervisor' | 'admin' }));
  return snap;
}
