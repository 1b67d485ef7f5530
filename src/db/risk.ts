// A child's risk level changes with a reason, and every change is a row of `risk_changes` (from, to, why, and the
// report, visit or person behind it), so the child's file can say why the level is what it is.
import { desc, eq } from 'drizzle-orm';
import { riskRank, type RiskLevel } from '../domain/categories.js';
import type { Conn } from './client.js';
import { children, reports, riskChanges, staff } from './schema.js';

interface RiskChange {
  childId: number;
  reason: string;
  reportId?: number;
  visitId?: number;
  staffId: number | null;
  at: Date;
}

/** The child's level, its row locked until the transaction ends (two changes at once apply one after the other). */
async function lockedLevel(conn: Conn, childId: number): Promise<RiskLevel | undefined> {
  const [child] = await conn.select({ risk: children.riskLevel }).from(children).where(eq(children.id, childId)).for('update');
  return child?.risk;
}

async function setLevel(conn: Conn, change: RiskChange, from: RiskLevel, to: RiskLevel): Promise<void> {
  await conn.update(children).set({ riskLevel: to, updatedAt: change.at }).where(eq(children.id, change.childId));
  await conn.insert(riskChanges).values({
    childId: change.childId,
    from,
    to,
    reason: change.reason,
    reportId: change.reportId ?? null,
    visitId: change.visitId ?? null,
    staffId: change.staffId,
    at: change.at,
  });
}

/**
 * Raises the child's risk level to at least `atLeast` (never lowers it) and records why; returns whether it
 * changed. Repeating it changes nothing, so a step that may run again can call it safely.
 */
export async function raiseRisk(conn: Conn, change: RiskChange & { atLeast: RiskLevel }): Promise<boolean> {
  const from = await lockedLevel(conn, change.childId);
  if (!from || riskRank(from) >= riskRank(change.atLeast)) return false;
  await setLevel(conn, change, from, change.atLeast);
  return true;
}

/**
 * Lowers the child's risk level to `to`, with the reason a supervisor gave. Refused — nothing written — when `to`
 * is not below the level the child has now (the same, higher, or someone lowered it meanwhile): the caller says so.
 */
export async function lowerRisk(conn: Conn, change: RiskChange & { to: RiskLevel }): Promise<{ lowered: true; from: RiskLevel } | { lowered: false; current: RiskLevel }> {
  const from = await lockedLevel(conn, change.childId);
  if (!from) throw new Error(`lowerRisk: no child ${change.childId}`);
  if (riskRank(change.to) >= riskRank(from)) return { lowered: false, current: from };
  await setLevel(conn, change, from, change.to);
  return { lowered: true, from };
}

/** The latest change of the child's risk level, with the report's reference when a report caused it. */
export async function lastRiskChange(conn: Conn, childId: number) {
  const [row] = await conn
    .select({
      from: riskChanges.from,
      to: riskChanges.to,
      reason: riskChanges.reason,
      at: riskChanges.at,
      staffName: staff.name,
      reportRef: reports.ref,
      reporterStaffId: reports.reporterStaffId,
    })
    .from(riskChanges)
    .leftJoin(reports, eq(reports.id, riskChanges.reportId))
    .leftJoin(staff, eq(staff.id, riskChanges.staffId))
    .where(eq(riskChanges.childId, childId))
    .orderBy(desc(riskChanges.at), desc(riskChanges.id))
    .limit(1);
  return row;
}
