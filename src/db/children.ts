// Reading children — always through the actor's scope. This file is the one place where "who may see which
// child" is decided: caseworker — their current caseload plus children they registered; supervisor — their area
// subtree; admin — all.
import { and, asc, desc, eq, ilike, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from './actor.js';
import { audit } from './audit.js';
import type { Conn } from './client.js';
import { areas, assignments, children, reports, staff, visits } from './schema.js';

/** The SQL condition restricting `children` to what the actor may see. */
export function childScope(actor: Actor): SQL {
  switch (actor.role) {
    case 'admin':
      return sql`true`;
    case 'supervisor':
      return sql`exists (select 1 from ${areas} where ${areas.code} = ${children.areaCode} and ${areas.path} like ${actor.areaPath + '%'})`;
    case 'caseworker':
      return or(
        sql`exists (select 1 from ${assignments} where ${assignments.childId} = ${children.id} and ${assignments.staffId} = ${actor.staffId} and ${assignments.endedAt} is null)`,
        eq(children.registeredBy, actor.staffId),
      )!;
  }
}

const listable = (includePending: boolean) =>
  includePending ? inArray(children.status, ['active', 'pending']) : eq(children.status, 'active');

export interface ChildListItem {
  id: number;
  name: string;
  nextVisitDue: string | null;
  status: string;
}

const listColumns = { id: children.id, name: children.name, nextVisitDue: children.nextVisitDue, status: children.status };

/** The actor's children, soonest due first (never-visited and overdue lead), one page at a time. */
export async function caseloadPage(
  conn: Conn,
  actor: Actor,
  page: number,
  pageSize: number,
  includePending = false,
): Promise<{ items: ChildListItem[]; hasMore: boolean }> {
  const rows = await conn
    .select(listColumns)
    .from(children)
    .where(and(childScope(actor), listable(includePending)))
    .orderBy(sql`${children.nextVisitDue} asc nulls first`, asc(children.name), asc(children.id))
    .limit(pageSize + 1)
    .offset(page * pageSize);
  return { items: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
}

/** Children in scope whose name contains the text (at most `limit`). */
export async function searchChildren(conn: Conn, actor: Actor, text: string, limit: number, includePending = false): Promise<ChildListItem[]> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return conn
    .select(listColumns)
    .from(children)
    .where(and(childScope(actor), listable(includePending), ilike(children.name, pattern)))
    .orderBy(asc(children.name), asc(children.id))
    .limit(limit);
}

export type ChildRow = typeof children.$inferSelect;

/**
 * The child if the actor may see it. A child that exists outside the actor's scope is refused and the attempt is
 * audited; the caller gets `undefined` either way and must not tell the two apart to the user.
 */
export async function childForActor(conn: Conn, actor: Actor, childId: number, channel: string | null): Promise<ChildRow | undefined> {
  if (!Number.isSafeInteger(childId) || childId <= 0) return undefined;
  const [row] = await conn.select().from(children).where(and(eq(children.id, childId), childScope(actor)));
  if (row) return row;
  const [outside] = await conn.select({ id: children.id }).from(children).where(eq(children.id, childId));
  if (outside) await audit(conn, { actorStaffId: actor.staffId, channel, action: 'child.denied', childId });
  return undefined;
}

/** Everything the status message shows, read in scope. */
export async function childFile(conn: Conn, child: ChildRow) {
  const [village] = await conn.select({ name: areas.name, parentCode: areas.parentCode }).from(areas).where(eq(areas.code, child.areaCode));
  const [caseworker] = await conn
    .select({ name: staff.name })
    .from(assignments)
    .innerJoin(staff, eq(staff.id, assignments.staffId))
    .where(and(eq(assignments.childId, child.id), isNull(assignments.endedAt)));
  const [lastVisit] = await conn
    .select()
    .from(visits)
    .where(eq(visits.childId, child.id))
    .orderBy(desc(visits.visitedOn), desc(visits.id))
    .limit(1);
  const openReports = await conn
    .select({ ref: reports.ref, status: reports.status, createdAt: reports.createdAt })
    .from(reports)
    .where(and(eq(reports.childId, child.id), inArray(reports.status, ['draft', 'open', 'acknowledged'])))
    .orderBy(desc(reports.createdAt));
  return { village: village?.name ?? child.areaCode, caseworker: caseworker?.name ?? null, lastVisit: lastVisit ?? null, openReports };
}

export async function lastVisitOf(conn: Conn, childId: number) {
  const [row] = await conn.select().from(visits).where(eq(visits.childId, childId)).orderBy(desc(visits.visitedOn), desc(visits.id)).limit(1);
  return row;
}

/** The villages an actor works in (for registering a child): their own area's villages. */
export async function villagesOf(conn: Conn, actor: Actor) {
  return conn
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'village'), like(areas.path, `${actor.areaPath}%`)))
    .orderBy(asc(areas.code))
    .limit(30);
}
