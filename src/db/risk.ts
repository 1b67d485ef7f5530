// A child's risk level changes with a reason, and every change is a row of `risk_changes` (from, to, why, and the
// report, visit or person behind it), so the child's file can say why the level is what it is.
import { desc, eq } from 'drizzle-orm';
import { riskLevels, type RiskLevel } from '../domain/categories.js';
import type { Conn } from './client.js';
import { children, reports, riskChanges } from './schema.js';

const rank = (level: RiskLevel) => riskLevels.indexOf(level);

/**
 * Raises the child's risk level to at least `atLeast` (never lowers it) and records why; returns whether it
 * changed. Repeating it changes nothing, so a step that may run again can call it safely.
 */
export async function raiseRisk(
  conn: Conn,
  change: { childId: number; atLeast: RiskLevel; reason: string; reportId?: number; visitId?: number; staffId: number | null; at: Date },
): Promise<boolean> {
  const [child] = await conn.select({ risk: children.riskLevel }).from(children).where(eq(children.id, change.childId)).for('update');
  if (!child || rank(child.risk) >= rank(change.atLeast)) return false;
  await conn.update(children).set({ riskLevel: change.atLeast, updatedAt: change.at }).where(eq(children.id, change.childId));
  await conn.insert(riskChanges).values({
    childId: change.childId,
    from: child.risk,
    to: change.atLeast,
    reason: change.reason,
    reportId: change.reportId ?? null,
    visitId: change.visitId ?? null,
    staffId: change.staffId,
    at: change.at,
  });
  return true;
}

/** The latest change of the child's risk level, with the report's reference when a report caused it. */
export async function lastRiskChange(conn: Conn, childId: number) {
  const [row] = await conn
    .select({ from: riskChanges.from, to: riskChanges.to, reason: riskChanges.reason, at: riskChanges.at, reportRef: reports.ref, reporterStaffId: reports.reporterStaffId })
    .from(riskChanges)
    .leftJoin(reports, eq(reports.id, riskChanges.reportId))
    .where(eq(riskChanges.childId, childId))
    .orderBy(desc(riskChanges.at), desc(riskChanges.id))
    .limit(1);
  return row;
}
