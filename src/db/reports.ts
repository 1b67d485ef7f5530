// Reading mandatory reports. A report is handled by the supervisors of its area and above, and by admins (who they
// are is decided with every other scope in children.ts); every button that names a report resolves it here.
import { and, asc, eq, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from './actor.js';
import { reportScope, resolveInScope } from './children.js';
import type { Conn } from './client.js';
import { supervisorsFor } from './recipients.js';
import { areas, children, reportEvents, reports, staff, type ReportStatus } from './schema.js';

export interface ReportInfo {
  id: number;
  ref: string;
  areaCode: string;
  areaName: string;
  areaPath: string;
  childId: number | null;
  childName: string | null;
  childDescription: string | null;
  situations: string[];
  observed: string;
  occurredWhen: string;
  occurredWhere: string;
  immediateDanger: boolean;
  policeTold: boolean;
  policeReceipt: string | null;
  reporterStaffId: number;
  reporterName: string;
  status: ReportStatus;
  escalationLevel: number;
  lastEscalatedAt: Date | null;
  acknowledgedBy: number | null;
  acknowledgedByName: string | null;
  acknowledgedAt: Date | null;
  createdAt: Date;
}

const acker = alias(staff, 'acker');

const reportColumns = {
  id: reports.id,
  ref: reports.ref,
  areaCode: reports.areaCode,
  areaName: areas.name,
  areaPath: areas.path,
  childId: reports.childId,
  childName: children.name,
  childDescription: reports.childDescription,
  situations: reports.situations,
  observed: reports.observed,
  occurredWhen: reports.occurredWhen,
  occurredWhere: reports.occurredWhere,
  immediateDanger: reports.immediateDanger,
  policeTold: reports.policeTold,
  policeReceipt: reports.policeReceipt,
  reporterStaffId: reports.reporterStaffId,
  reporterName: staff.name,
  status: reports.status,
  escalationLevel: reports.escalationLevel,
  lastEscalatedAt: reports.lastEscalatedAt,
  acknowledgedBy: reports.acknowledgedBy,
  acknowledgedByName: acker.name,
  acknowledgedAt: reports.acknowledgedAt,
  createdAt: reports.createdAt,
};

function reportQuery<Extra extends Record<string, SQL.Aliased | SQL>>(conn: Conn, extra = {} as Extra) {
  return conn
    .select({ ...reportColumns, ...extra })
    .from(reports)
    .innerJoin(areas, eq(areas.code, reports.areaCode))
    .innerJoin(staff, eq(staff.id, reports.reporterStaffId))
    .leftJoin(children, eq(children.id, reports.childId))
    .leftJoin(acker, eq(acker.id, reports.acknowledgedBy));
}

/** The report, whoever asks (for the scheduler); `lock` holds its row until the transaction ends. */
export async function loadReport(conn: Conn, id: number, lock = false): Promise<ReportInfo | undefined> {
  if (lock) await conn.select({ id: reports.id }).from(reports).where(eq(reports.id, id)).for('update');
  const [r] = await reportQuery(conn).where(eq(reports.id, id));
  return r;
}

/**
 * The report if the actor handles it (the area's supervisors and those above, and admins: the only people who see
 * the reporter), locked for this transaction when `lock`. Resolved through the one scoped lookup: a report outside
 * the actor's area is refused and audited, and the caller answers it exactly like one that does not exist.
 */
export async function reportForHandler(
  conn: Conn,
  actor: Actor,
  raw: unknown,
  options: { channel: string | null; lock?: boolean },
): Promise<ReportInfo | undefined> {
  const id = await resolveInScope(conn, actor, 'report', raw, options.channel);
  return id === undefined ? undefined : loadReport(conn, id, options.lock);
}

/** Reports of the actor's area that are not closed (urgent drafts included), oldest first, each with the total. */
export async function openReportsFor(conn: Conn, actor: Actor, limit: number): Promise<(ReportInfo & { total: number })[]> {
  return reportQuery(conn, { total: sql<number>`count(*) over ()`.mapWith(Number) })
    .where(and(ne(reports.status, 'closed'), reportScope(actor)))
    .orderBy(asc(reports.createdAt), asc(reports.id))
    .limit(limit);
}

export interface ReportEvent {
  kind: string;
  staffName: string | null;
  detail: Record<string, unknown> | null;
  at: Date;
}

/** The report's history, oldest first, with who did each step. */
export async function reportHistory(conn: Conn, reportId: number): Promise<ReportEvent[]> {
  return conn
    .select({ kind: reportEvents.kind, staffName: staff.name, detail: reportEvents.detail, at: reportEvents.at })
    .from(reportEvents)
    .leftJoin(staff, eq(staff.id, reportEvents.staffId))
    .where(eq(reportEvents.reportId, reportId))
    .orderBy(asc(reportEvents.at), asc(reportEvents.id));
}

/** Everyone alerted so far: the handlers of each level the report has reached. */
export async function handlersAlerted(conn: Conn, r: Pick<ReportInfo, 'areaCode' | 'escalationLevel'>): Promise<number[]> {
  const ids = new Set<number>();
  for (let level = 0; level <= r.escalationLevel; level++) {
    for (const p of await supervisorsFor(conn, r.areaCode, level)) ids.add(p.staffId);
  }
  return [...ids];
}
