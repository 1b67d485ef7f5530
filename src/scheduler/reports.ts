// The minutely escalation of mandatory reports up the area tree. A report nobody has acknowledged climbs one level
// every REPORT_ACK_MINUTES (at the top, the admins are alerted again each period); acknowledging it stops the
// ladder. An acknowledged report with no handling recorded for STALLED_HOURS climbs again, once per such period.
// Every alert is the one renderer's (src/flows/reportAlert.ts), so every level sees the same facts.
import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { audit } from '../db/audit.js';
import type { Db } from '../db/client.js';
import { supervisorsFor } from '../db/recipients.js';
import { reports } from '../db/schema.js';
import { STALLED_HOURS } from '../domain/reportHandling.js';
import { alertReportHandlers, type AlertStage } from '../flows/reportAlert.js';

/**
 * The last handling step of a report (acknowledging, an action, a follow-up). Written out in full:
 * drizzle leaves a select list's columns unqualified, and an unqualified `id` inside would be the event's own.
 */
const lastHandled = sql<Date | string | null>`(select max(e.at) from report_events e where e.report_id = "reports"."id"
  and e.kind in ('acknowledged', 'action', 'followup'))`;

export async function escalateReports(db: Db, config: Config, now: Date): Promise<number> {
  const ackCutoff = new Date(now.getTime() - config.REPORT_ACK_MINUTES * 60_000).toISOString();
  const stallCutoff = new Date(now.getTime() - STALLED_HOURS * 3_600_000).toISOString();
  const lastAlert = sql`coalesce(${reports.lastEscalatedAt}, ${reports.createdAt})`;
  const due = sql`(${reports.status} not in ('acknowledged', 'closed') and ${lastAlert} <= ${ackCutoff}::timestamptz)
    or (${reports.status} = 'acknowledged' and greatest(${lastAlert}, ${lastHandled}) <= ${stallCutoff}::timestamptz)`;
  const candidates = await db.select({ id: reports.id }).from(reports).where(due).limit(500);
  let escalated = 0;
  for (const { id } of candidates) {
    const done = await db.transaction(async (tx) => {
      const [r] = await tx
        .select({ status: reports.status, areaCode: reports.areaCode, level: reports.escalationLevel, createdAt: reports.createdAt, lastHandled })
        .from(reports)
        .where(and(eq(reports.id, id), due))
        .for('update', { skipLocked: true });
      if (!r) return false;
      let level = r.level + 1;
      const repeat = (await supervisorsFor(tx, r.areaCode, level)).length === 0;
      if (repeat) level = r.level;
      const stage: AlertStage =
        r.status === 'acknowledged'
          ? { kind: 'stalled', hours: Math.floor((now.getTime() - new Date(r.lastHandled ?? r.createdAt).getTime()) / 3_600_000) }
          : repeat
            ? { kind: 'repeat', minutes: Math.round((now.getTime() - r.createdAt.getTime()) / 60_000) }
            : { kind: 'escalated', level };
      await tx.update(reports).set({ escalationLevel: level, lastEscalatedAt: now }).where(eq(reports.id, id));
      await audit(tx, { actorStaffId: null, channel: null, action: 'report.escalate', reportId: id, detail: { level, repeat, stalled: stage.kind === 'stalled' }, at: now });
      await alertReportHandlers(tx, id, level, now, config, stage);
      return true;
    });
    if (done) escalated++;
  }
  return escalated;
}
