// The append-only audit log (the database refuses updates and deletes; see drizzle/0001).
import type { Conn } from './client.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  actorStaffId: number | null;
  channel: string | null;
  /** e.g. child.read, child.denied, visit.create, report.create, report.read, invite.redeem, invite.failed */
  action: string;
  childId?: number | null;
  reportId?: number | null;
  detail?: Record<string, unknown>;
  at?: Date;
}

export async function audit(conn: Conn, entry: AuditEntry): Promise<void> {
  await conn.insert(auditLog).values({
    actorStaffId: entry.actorStaffId,
    channel: entry.channel,
    action: entry.action,
    childId: entry.childId ?? null,
    reportId: entry.reportId ?? null,
    detail: entry.detail ?? null,
    ...(entry.at ? { at: entry.at } : {}),
  });
}
