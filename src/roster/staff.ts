// Staff records: the list, deactivation (takes effect at once: actorForIdentity only knows active staff) and the
// move of a whole caseload from one person to another.
import { and, asc, eq, inArray, isNull, like, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { areas, assignments, channelIdentities, staff, auditLog, conversations, outbox } from '../db/schema.js';
import { escapeLike } from './areas.js';

export interface StaffRow {
  id: number;
  name: string;
  role: string;
  areaCode: string;
  areaName: string;
  active: boolean;
  channels: string[];
  caseload: number;
}

export async function listStaff(conn: Conn, options: { underPath?: string; includeInactive?: boolean } = {}): Promise<StaffRow[]> {
  const conditions = [];
  if (options.underPath) conditions.push(like(areas.path, `${escapeLike(options.underPath)}%`));
  if (!options.includeInactive) conditions.push(eq(staff.active, true));
  const rows = await conn
    .select({ id: staff.id, name: staff.name, role: staff.role, areaCode: staff.areaCode, areaName: areas.name, active: staff.active })
    .from(staff)
    .innerJoin(areas, eq(areas.code, staff.areaCode))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(areas.path), asc(staff.role), asc(staff.id));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const identities = await conn
    .select({ staffId: channelIdentities.staffId, channel: channelIdentities.channel })
    .from(channelIdentities)
    .where(inArray(channelIdentities.staffId, ids));
  const loads = await conn
    .select({ staffId: assignments.staffId, n: sql<number>`count(*)::int` })
    .from(assignments)
    .where(and(inArray(assignments.staffId, ids), isNull(assignments.endedAt)))
    .groupBy(assignments.staffId);
  return rows.map((r) => ({
    ...r,
    channels: [...new Set(identities.filter((i) => i.staffId === r.id).map((i) => i.channel))].sort(),
    caseload: Number(loads.find((l) => l.staffId === r.id)?.n ?? 0),
  }));
}

export type StaffChange = { ok: true; name: string; caseload: number } | { ok: false; reason: 'unknown' | 'already' };

/**
 * Deactivates a person: from this moment none of their messenger accounts is anyone (so a conversation in
 * progress stops at its next message), their open conversation is cancelled and their undelivered messages are
 * dropped. Their caseload stays until moved.
 */
export async function deactivateStaff(conn: Conn, staffId: number, now: Date): Promise<StaffChange> {
  const [person] = await conn.select().from(staff).where(eq(staff.id, staffId)).for('update');
  if (!person) return { ok: false, reason: 'unknown' };
  if (!person.active) return { ok: false, reason: 'already' };
  await conn.update(staff).set({ active: false, deactivatedAt: now }).where(eq(staff.id, staffId));
  await conn
    .update(conversations)
    .set({ status: 'cancelled', updatedAt: now, version: sql`${conversations.version} + 1` })
    .where(and(eq(conversations.staffId, staffId), eq(conversations.status, 'active')));
  // Someone who has left must not receive children's names any more: their undelivered messages are dropped.
  const dropped = await conn
    .update(outbox)
    .set({ status: 'cancelled', lastError: 'recipient deactivated' })
    .where(and(eq(outbox.staffId, staffId), eq(outbox.status, 'pending')))
    .returning({ id: outbox.id });
  await conn.insert(auditLog).values({ actorStaffId: null, channel: 'cli', action: 'staff.deactivate', detail: { staffId, messagesDropped: dropped.length }, at: now });
  return { ok: true, name: person.name, caseload: await caseloadSize(conn, staffId) };
}

export async function reactivateStaff(conn: Conn, staffId: number, now: Date): Promise<StaffChange> {
  const [person] = await conn.select().from(staff).where(eq(staff.id, staffId)).for('update');
  if (!person) return { ok: false, reason: 'unknown' };
  if (person.active) return { ok: false, reason: 'already' };
  await conn.update(staff).set({ active: true, deactivatedAt: null }).where(eq(staff.id, staffId));
  await conn.insert(auditLog).values({ actorStaffId: null, channel: 'cli', action: 'staff.reactivate', detail: { staffId }, at: now });
  return { ok: true, name: person.name, caseload: await caseloadSize(conn, staffId) };
}

async function caseloadSize(conn: Conn, staffId: number): Promise<number> {
  const [row] = await conn
    .select({ n: sql<number>`count(*)::int` })
    .from(assignments)
    .where(and(eq(assignments.staffId, staffId), isNull(assignments.endedAt)));
  return Number(row?.n ?? 0);
}

export type ReassignResult =
  | { ok: true; moved: number; childIds: number[] }
  | { ok: false; reason: 'same' | 'unknown-from' | 'unknown-to' | 'inactive-to' | 'not-caseworker' };

/** Moves the whole current caseload: the old assignments end and new ones start at the same instant. Run in a transaction. */
export async function reassignCaseload(conn: Conn, fromId: number, toId: number, now: Date): Promise<ReassignResult> {
  if (fromId === toId) return { ok: false, reason: 'same' };
  const [from] = await conn.select().from(staff).where(eq(staff.id, fromId));
  if (!from) return { ok: false, reason: 'unknown-from' };
  const [to] = await conn.select().from(staff).where(eq(staff.id, toId)).for('update');
  if (!to) return { ok: false, reason: 'unknown-to' };
  if (!to.active) return { ok: false, reason: 'inactive-to' };
  if (to.role === 'admin') return { ok: false, reason: 'not-caseworker' };
  const ended = await conn
    .update(assignments)
    .set({ endedAt: now })
    .where(and(eq(assignments.staffId, fromId), isNull(assignments.endedAt)))
    .returning({ childId: assignments.childId });
  const childIds = ended.map((e) => e.childId).sort((a, b) => a - b);
  for (let i = 0; i < childIds.length; i += 1000) {
    const chunk = childIds.slice(i, i + 1000);
    await conn.insert(assignments).values(chunk.map((childId) => ({ childId, staffId: toId, startedAt: now })));
    await conn
      .insert(auditLog)
      .values(chunk.map((childId) => ({ actorStaffId: null, channel: 'cli', action: 'assignment.reassign', childId, detail: { from: fromId, to: toId }, at: now })));
  }
  return { ok: true, moved: childIds.length, childIds };
}
