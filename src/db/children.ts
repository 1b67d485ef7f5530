// Reading children — always through the actor's scope. This file is the one place where "who may see which
// child" is decided: caseworker — their current caseload plus children they registered; supervisor — their area
// subtree; admin — all. It also holds the one lookup for every id a button (or any client) can name.
import { and, asc, desc, eq, ilike, inArray, isNull, lte, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Actor } from './actor.js';
import { audit } from './audit.js';
import { stamped, stampOf } from './rowStamps.js';
import { closing, closingSlot, closingValues, type Closing, type SendClosing } from './closing.js';
import { bare, byShape, perShape, rowOf, sendPrebuilt, slot } from './statement.js';
import type { Conn } from './client.js';
import { alias } from 'drizzle-orm/pg-core';
import { areas, assignments, children, reports, staff, visits } from './schema.js';

/**
 * An area path lies under `prefix`. `starts_with` (PostgreSQL 11+, so PG 15 and PGlite alike) compares characters
 * literally: an area code holding `_`, `%` or a backslash cannot widen the match the way it would in a LIKE pattern.
 */
export function pathUnder(path: AnyColumn | SQL, prefix: string | AnyColumn | SQL): SQL {
  return sql`starts_with(${path}, ${prefix})`;
}

/** The SQL condition restricting `children` to what the actor may see. */
export function childScope(actor: Actor): SQL {
  return childScopeOf(actor.role, actor.staffId, actor.areaPath);
}

/**
 * The same rule, the actor's staff id and area path given as values or as SQL (a statement's placeholders; `probe`
 * for a statement prepared once, whose generic plan would otherwise hash the caseworker's whole caseload).
 */
export function childScopeOf(role: Actor['role'], staffId: number | SQL, areaPath: string | SQL, probe = false): SQL {
  switch (role) {
    case 'admin':
      return sql`true`;
    case 'supervisor':
      return underArea(areaPath);
    case 'caseworker':
      return assignedOrRegisteredBy(staffId, probe);
  }
}

/**
 * The same condition for an actor known only inside the statement (the columns of a row read in it, as the inbound
 * update's first statement reads the actor): each role's rule, chosen by the role.
 */
export function childScopeIn(actor: { role: SQL; staffId: SQL; areaPath: SQL }): SQL {
  const rule = (role: Actor['role']) => childScopeOf(role, actor.staffId, actor.areaPath, true);
  return sql`(case ${actor.role} when 'admin' then ${rule('admin')} when 'supervisor' then ${rule('supervisor')} when 'caseworker' then ${rule('caseworker')} else false end)`;
}

/** The children table again, inside a subquery about the outer child. */
const REGISTERED = 'registered';
const registered = alias(children, REGISTERED);

const underArea = (areaPath: string | SQL) =>
  sql`exists (select 1 from ${areas} where ${areas.code} = ${children.areaCode} and ${pathUnder(areas.path, areaPath)})`;

/**
 * `probe`: for a statement whose generic plan does not know the staff id (a column of the statement, or a prepared
 * statement's parameter), `offset 0` keeps PostgreSQL from turning the EXISTS into a hashed subplan over the open
 * assignments: it stays one index probe. Otherwise (a list of children, or a child checked by id) the caseworker's
 * children are found from their open assignments and their registrations, both by index — a caseload, a few dozen
 * rows: an OR of the two would read every child in the county to test each. The ids are gathered once, as an array
 * (an InitPlan): as `in (…)`, a plan made before the tables' statistics were gathered ran the subquery again for
 * every child (12.7 ms a page against 1.0 ms, 130 children on the caseload).
 */
const assignedOrRegisteredBy = (staffId: number | SQL, probe = false) =>
  probe
    ? or(
        sql`exists (select 1 from ${assignments} where ${assignments.childId} = ${children.id} and ${assignments.staffId} = ${staffId} and ${assignments.endedAt} is null offset 0)`,
        eq(children.registeredBy, staffId),
      )!
    : sql`${children.id} = any(array(select ${assignments.childId} from ${assignments} where ${assignments.staffId} = ${staffId} and ${assignments.endedAt} is null
        union all select ${registered.id} from ${children} as ${sql.identifier(REGISTERED)} where ${registered.registeredBy} = ${staffId}))`;

const listable = (includePending: boolean) =>
  includePending ? inArray(children.status, ['active', 'pending']) : eq(children.status, 'active');

export interface ChildListItem {
  id: number;
  name: string;
  nextVisitDue: string | null;
  status: string;
}

const listColumns = { id: children.id, name: children.name, nextVisitDue: children.nextVisitDue, status: children.status };

/** The actor as a prebuilt statement's parameters: its scope's SQL is chosen by role, its values filled in. */
const actorValues = (actor: Actor) => ({ staffId: actor.staffId, areaPath: actor.areaPath });

/** {@link childScopeOf} for a prebuilt statement: the actor's staff id and area path are its `staffId` and `areaPath`. */
export const scopeBySlots = (role: Actor['role'], probe = false) => childScopeOf(role, sql`${slot('staffId')}::int`, sql`${slot('areaPath')}::text`, probe);

type PageShape = `${Actor['role']}:${'pending' | 'active'}:${'whole' | 'listed'}`;

/**
 * The caseload page as the closing read of the question that shows it (src/db/closing.ts): the update that asks it
 * may send it with its guard and its draft write, as one statement. Built once per shape, on first use.
 */
const caseloadPageRead = perShape((shape: PageShape): Closing => {
  const [role, listed, rows] = shape.split(':') as [Actor['role'], string, string];
  // Each listed child may come with its whole row (stamped, with its latest visit) as text, parsed only if chosen.
  const whole = rows === 'whole' ? sql`(to_jsonb(${children}.*) || jsonb_build_object('row_stamp', ${stampOf(children)}, 'latest_visit', ${latestVisitColumn}))::text` : sql`null`;
  const scope = childScopeOf(role, sql`${closingSlot('staffId')}::int`, sql`${closingSlot('areaPath')}::text`);
  const select = sql`select ${children.id}, ${children.name}, ${children.nextVisitDue}, ${children.status}, ${whole} as whole from ${children}
    where ${scope} and ${listable(listed === 'pending')}
    order by ${children.nextVisitDue} asc nulls first, ${children.name} asc, ${children.id} asc
    limit ${closingSlot('limit')} offset ${closingSlot('offset')}`;
  return closing(`caseload-${shape.replaceAll(':', '-')}`, () => ({ select }), true);
});

/**
 * The actor's children, soonest due first (never-visited and overdue lead), one page at a time; `whole`: each with
 * its whole row, for {@link listedChild} (where the next update can take the chosen one unread).
 */
export async function caseloadPage(
  conn: Conn,
  actor: Actor,
  page: number,
  pageSize: number,
  { includePending = false, whole = false, close }: { includePending?: boolean | undefined; whole?: boolean; close?: SendClosing | undefined } = {},
): Promise<{ items: ChildListItem[]; hasMore: boolean }> {
  const statement = caseloadPageRead(`${actor.role}:${includePending ? 'pending' : 'active'}:${whole ? 'whole' : 'listed'}`);
  const values = closingValues({ ...actorValues(actor), limit: pageSize + 1, offset: page * pageSize });
  // A read the reply alone needs: with `close`, the update's closing read (folded with its guard and draft write where
  // it can be); otherwise an update computed from known state may send it ahead of its guard, on its own.
  const read = close ? await close({ statement, values }) : await sendPrebuilt(conn, statement.alone(values), true);
  // Folded, an empty page still comes back as one row (the guard's side of the join), of nulls.
  const rows = read.filter((row) => row.id !== null && row.id !== undefined);
  const items = rows.slice(0, pageSize).map((row) => {
    const item: ChildListItem = { id: Number(row.id), name: String(row.name), nextVisitDue: (row.next_visit_due as string | null) ?? null, status: String(row.status) };
    if (typeof row.whole === 'string') wholeRows.set(item, row.whole);
    return item;
  });
  return { items, hasMore: rows.length > pageSize };
}

/** The whole row each child of a caseload page was read with, as text. */
const wholeRows = new WeakMap<ChildListItem, string>();

/**
 * A listed child's whole row as {@link childForActor} reads it (stamped, with its latest visit): what it was when the
 * page was read, in scope then. Undefined for a child listed without it (a search result).
 */
export function listedChild(item: ChildListItem): ChildRow | undefined {
  const text = wholeRows.get(item);
  if (text === undefined) return undefined;
  const json = JSON.parse(text) as Record<string, unknown>;
  if (typeof json.row_stamp !== 'string') return undefined;
  return withLatestVisit(stamped(rowOf(children, json), json.row_stamp), json.latest_visit as CarriedVisit | string | null);
}

function withLatestVisit(child: ChildRow, latest: CarriedVisit | string | null | undefined): ChildRow {
  latestVisits.set(child, typeof latest === 'string' ? (JSON.parse(latest) as CarriedVisit) : (latest ?? null));
  return child;
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

/** Mandatory reports the actor handles: supervisors of the report's area or above, and admins. */
export function reportScope(actor: Actor): SQL {
  switch (actor.role) {
    case 'admin':
      return sql`true`;
    case 'supervisor':
      return sql`exists (select 1 from ${areas} where ${areas.code} = ${reports.areaCode} and ${pathUnder(areas.path, actor.areaPath)})`;
    case 'caseworker':
      return sql`false`;
  }
}

/** Visits of children the actor may see. */
export function visitScope(actor: Actor): SQL {
  return sql`exists (select 1 from ${children} where ${children.id} = ${visits.childId} and ${childScope(actor)})`;
}

/** What a button can name, with the table it lives in and who may reach it. */
const nameable = {
  child: { table: children, id: children.id, scope: childScope },
  report: { table: reports, id: reports.id, scope: reportScope },
  visit: { table: visits, id: visits.id, scope: visitScope },
} as const;

export type Nameable = keyof typeof nameable;

/** Ids in button data are small positive integers; anything else names nothing. */
function namedId(raw: unknown): number | undefined {
  const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : raw;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? id : undefined;
}

/**
 * The one lookup for an id taken from button data (or anything else a client sends): the id if the thing exists
 * and the actor may reach it, `undefined` otherwise. Every refusal — out of scope, unknown, malformed — is audited
 * as `<kind>.denied`, and the caller answers all of them with the same words, so a presser cannot tell "exists but
 * not yours" from "does not exist".
 */
export async function resolveInScope(conn: Conn, actor: Actor, kind: Nameable, raw: unknown, channel: string | null): Promise<number | undefined> {
  const id = namedId(raw);
  if (id !== undefined) {
    const { table, id: idColumn, scope } = nameable[kind];
    const [row] = await conn.select({ id: idColumn }).from(table).where(and(eq(idColumn, id), scope(actor)));
    if (row) return row.id;
  }
  await refuse(conn, actor, kind, id, raw, channel);
  return undefined;
}

/**
 * Records a refusal (exported for the one case where the transaction that recorded it rolls back: a flow that stops
 * because its child left the actor's scope writes it again on its own).
 */
export async function refuse(conn: Conn, actor: Pick<Actor, 'staffId'>, kind: Nameable, id: number | undefined, raw: unknown, channel: string | null): Promise<void> {
  const { table, id: idColumn } = nameable[kind];
  const exists = id !== undefined && (await conn.select({ id: idColumn }).from(table).where(eq(idColumn, id))).length > 0;
  await audit(conn, {
    actorStaffId: actor.staffId,
    channel,
    action: `${kind}.denied`,
    // The child's and the report's own history list the attempt; an unknown id is kept in the detail only.
    childId: kind === 'child' && exists ? id : null,
    reportId: kind === 'report' && exists ? id : null,
    detail: { [kind]: id ?? String(raw).slice(0, 40), exists },
  });
}

/** What a visit leaves for the next one to carry over ("nothing changed"). */
export type CarriedVisit = Pick<typeof visits.$inferSelect, 'visitedOn' | 'riskAfter' | 'dimensions' | 'guardianshipAgreement'>;

/**
 * The child's latest visit, read with the child (null: never visited). It stays true while the child row does: the
 * one statement that saves a visit writes the child row too (src/db/visitRecord.ts), so a later visit changes the
 * child's stamp, and an update relying on a known child is refused by its guard (src/db/updateGuard.ts).
 */
const latestVisits = new WeakMap<ChildRow, CarriedVisit | null>();

// Written with each column's table spelled out: in a one-table select drizzle leaves column names bare, and a bare
// "id" here would be the visit's own.
const visitColumn = (column: { name: string }) => sql`${visits}.${bare(column)}`;
const latestVisitColumn = sql<CarriedVisit | string | null>`(select json_build_object('visitedOn', ${visitColumn(visits.visitedOn)}, 'riskAfter', ${visitColumn(visits.riskAfter)},
    'dimensions', ${visitColumn(visits.dimensions)}, 'guardianshipAgreement', ${visitColumn(visits.guardianshipAgreement)})
  from ${visits} where ${visitColumn(visits.childId)} = ${children}.${bare(children.id)} order by ${visitColumn(visits.visitedOn)} desc, ${visitColumn(visits.id)} desc limit 1)`;

// Read with its stamp, so the next update can rely on it unread while it stays unchanged (src/db/updateGuard.ts),
// and with its latest visit.
const childStatement = byShape((role: Actor['role']) =>
  sql`select ${children}.*, ${stampOf(children)} as row_stamp, ${latestVisitColumn} as latest_visit from ${children}
    where ${children.id} = ${slot('childId')}::int and ${scopeBySlots(role, true)}`,
);

/** The child row through the same gate as {@link resolveInScope} (one read when it is in scope). */
export async function childForActor(conn: Conn, actor: Actor, childId: unknown, channel: string | null): Promise<ChildRow | undefined> {
  const id = namedId(childId);
  if (id !== undefined) {
    const [row] = await sendPrebuilt(conn, childStatement(actor.role)({ ...actorValues(actor), childId: id }));
    if (row) {
      return withLatestVisit(stamped(rowOf(children, row), String(row.row_stamp)), row.latest_visit as CarriedVisit | string | null);
    }
  }
  await refuse(conn, actor, 'child', id, childId, channel);
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
    .select({ ref: reports.ref, status: reports.status, reporterStaffId: reports.reporterStaffId, createdAt: reports.createdAt })
    .from(reports)
    .where(and(eq(reports.childId, child.id), inArray(reports.status, ['draft', 'open', 'acknowledged'])))
    .orderBy(desc(reports.createdAt));
  return { village: village?.name ?? child.areaCode, caseworker: caseworker?.name ?? null, lastVisit: lastVisit ?? null, openReports };
}

/**
 * The child's latest visit on or before a day (what a back-dated visit follows). Answered from the child's own read
 * when its latest visit is on or before the day (or it has none), else read.
 */
export async function lastVisitOf(conn: Conn, child: ChildRow, onOrBefore: string): Promise<CarriedVisit | undefined> {
  const latest = latestVisits.get(child);
  if (latest === null) return undefined;
  if (latest && latest.visitedOn <= onOrBefore) return latest;
  const [row] = await conn
    .select({ visitedOn: visits.visitedOn, riskAfter: visits.riskAfter, dimensions: visits.dimensions, guardianshipAgreement: visits.guardianshipAgreement })
    .from(visits)
    .where(and(eq(visits.childId, child.id), lte(visits.visitedOn, onOrBefore)))
    .orderBy(desc(visits.visitedOn), desc(visits.id))
    .limit(1);
  return row;
}

/** The villages an actor works in (for registering a child): their own area's villages. */
export async function villagesOf(conn: Conn, actor: Actor) {
  return conn
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'village'), pathUnder(areas.path, actor.areaPath)))
    .orderBy(asc(areas.code))
    .limit(30);
}
