// Roster import: plan (read-only: what each row would do) and apply (one transaction). Children are matched by
// ID number, else by name + birth date + area, so importing the same file twice changes nothing.
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { maskIdNumber } from '../domain/mask.js';
import { nextVisitDue, type PolicyRow } from '../domain/visitPolicy.js';
import type { Conn } from '../db/client.js';
import { areas, assignments, auditLog, children, staff, type RiskLevel } from '../db/schema.js';
import { mapRosterHeader, requiredRosterFields, rosterHeaderNames } from './columns.js';
import { parseRosterRow, type RosterRecord } from './rows.js';
import type { Table } from './table.js';

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface RowReport {
  line: number;
  outcome: RowOutcome;
  name: string;
  /** Masked: the report is printed and may be pasted into a chat. */
  maskedId: string;
  /** Fields that change (updated) or why the row is refused (rejected). */
  details: string[];
}

interface ChildValues {
  name: string;
  sex: 'male' | 'female' | null;
  birthDate: string | null;
  idNumber: string | null;
  categories: string[];
  riskLevel: RiskLevel;
  areaCode: string;
  address: string | null;
  guardianName: string | null;
  guardianRelation: string | null;
  guardianPhone: string | null;
  status: 'active' | 'pending' | 'rejected' | 'closed';
  lastVisitOn: string | null;
  nextVisitDue: string | null;
}

interface CreateOp { line: number; values: ChildValues; caseworkerId: number | null }
interface UpdateOp { line: number; childId: number; set: Partial<ChildValues>; fields: string[]; caseworkerId: number | null }

export interface RosterPlan {
  rows: RowReport[];
  creates: CreateOp[];
  updates: UpdateOp[];
  /** Headers that matched no known column (ignored). */
  ignoredHeaders: string[];
}

export class RosterFileError extends Error {}

const key = (name: string, birthDate: string | null, areaCode: string) => `${name}\u0000${birthDate ?? ''}\u0000${areaCode}`;

export async function planRosterImport(conn: Conn, table: Table, options: { today: string; policy: PolicyRow[] }): Promise<RosterPlan> {
  const map = mapRosterHeader(table.header);
  const missing = requiredRosterFields.filter((f) => map.columns[f] === undefined);
  if (missing.length > 0) {
    throw new RosterFileError(
      `The roster has no ${missing.map((f) => rosterHeaderNames[f]).join(' / ')} column (姓名, 村(社区)代码). Headers found: ${table.header.join(', ')}`,
    );
  }
  if (map.repeated.length > 0) throw new RosterFileError(`Two columns mean the same thing: ${map.repeated.map((f) => rosterHeaderNames[f]).join(', ')}`);

  const areaCodes = new Set((await conn.select({ code: areas.code }).from(areas)).map((a) => a.code));
  const people = await conn
    .select({ id: staff.id, name: staff.name, role: staff.role })
    .from(staff)
    .where(and(eq(staff.active, true), ne(staff.role, 'admin')));
  const existing = await conn
    .select({
      id: children.id,
      name: children.name,
      sex: children.sex,
      birthDate: children.birthDate,
      idNumber: children.idNumber,
      categories: children.categories,
      riskLevel: children.riskLevel,
      areaCode: children.areaCode,
      address: children.address,
      guardianName: children.guardianName,
      guardianRelation: children.guardianRelation,
      guardianPhone: children.guardianPhone,
      status: children.status,
      lastVisitOn: children.lastVisitOn,
      nextVisitDue: children.nextVisitDue,
    })
    .from(children);
  const current = new Map(
    (await conn.select({ childId: assignments.childId, staffId: assignments.staffId }).from(assignments).where(isNull(assignments.endedAt))).map((a) => [a.childId, a.staffId]),
  );
  const byId = new Map(existing.filter((c) => c.idNumber).map((c) => [c.idNumber!, c]));
  const byKey = new Map<string, (typeof existing)[number][]>();
  for (const c of existing) {
    const k = key(c.name, c.birthDate, c.areaCode);
    byKey.set(k, [...(byKey.get(k) ?? []), c]);
  }

  const plan: RosterPlan = { rows: [], creates: [], updates: [], ignoredHeaders: map.unknown };
  const seenKeys = new Map<string, number>();
  const seenNames = new Map<string, { line: number; hasId: boolean }>();
  const claimedChildren = new Map<number, number>();

  for (const row of table.rows) {
    const parsed = parseRosterRow(row, map, options.today);
    if (!parsed.ok) {
      plan.rows.push({ line: row.line, outcome: 'rejected', name: parsed.name, maskedId: '', details: parsed.reasons });
      continue;
    }
    const r = parsed.record;
    const report: RowReport = { line: row.line, outcome: 'rejected', name: r.name, maskedId: maskIdNumber(r.idNumber), details: [] };
    plan.rows.push(report);
    const reasons = report.details;
    if (!areaCodes.has(r.areaCode)) reasons.push(`unknown area code ${r.areaCode}`);
    const caseworker = resolveCaseworker(r.caseworker, people);
    if (caseworker.problem) reasons.push(caseworker.problem);

    // The same ID number twice is the same child; the same name, birth date and area too — unless both rows
    // carry (different) ID numbers: two namesakes born the same day.
    const idKey = r.idNumber ? `id:${r.idNumber}` : undefined;
    const nameKey = r.birthDate ? key(r.name, r.birthDate, r.areaCode) : undefined;
    const byIdLine = idKey ? seenKeys.get(idKey) : undefined;
    const byName = nameKey ? seenNames.get(nameKey) : undefined;
    const firstLine = byIdLine ?? (byName && !(r.idNumber && byName.hasId) ? byName.line : undefined);
    if (firstLine !== undefined) reasons.push(`duplicate of line ${firstLine}`);
    if (idKey && !seenKeys.has(idKey)) seenKeys.set(idKey, row.line);
    if (nameKey && !seenNames.has(nameKey)) seenNames.set(nameKey, { line: row.line, hasId: r.idNumber !== null });
    if (reasons.length > 0) continue;

    const match = findMatch(r, byId, byKey);
    if (match === 'ambiguous') {
      reasons.push('several children on record have this name, birth date and area: add the ID number');
      continue;
    }
    if (match) {
      const claimedBy = claimedChildren.get(match.id);
      if (claimedBy !== undefined) {
        reasons.push(`same child as line ${claimedBy}`);
        continue;
      }
      claimedChildren.set(match.id, row.line);
      const { set, fields } = changes(match, r, options);
      const newCaseworker = caseworker.id !== null && current.get(match.id) !== caseworker.id ? caseworker.id : null;
      if (newCaseworker !== null) fields.push('caseworker');
      if (fields.length === 0) report.outcome = 'unchanged';
      else {
        report.outcome = 'updated';
        report.details = fields.map((f) => rosterHeaderNames[f as keyof typeof rosterHeaderNames] ?? f);
        plan.updates.push({ line: row.line, childId: match.id, set, fields, caseworkerId: newCaseworker });
      }
    } else {
      report.outcome = 'created';
      const categories = r.categories ?? [];
      const riskLevel = r.risk ?? 'green';
      plan.creates.push({
        line: row.line,
        caseworkerId: caseworker.id,
        values: {
          name: r.name,
          sex: r.sex,
          birthDate: r.birthDate,
          idNumber: r.idNumber,
          categories,
          riskLevel,
          areaCode: r.areaCode,
          address: r.address,
          guardianName: r.guardianName,
          guardianRelation: r.guardianRelation,
          guardianPhone: r.guardianPhone,
          status: 'active',
          lastVisitOn: r.lastVisit,
          // Never visited: due today, so the first reminder goes out at once.
          nextVisitDue: nextVisitDue({ lastVisitOn: r.lastVisit, categories, risk: riskLevel, rows: options.policy, today: options.today }),
        },
      });
    }
  }
  return plan;
}

type Existing = ChildValues & { id: number };

const statusPreference: ChildValues['status'][] = ['active', 'closed', 'pending', 'rejected'];

function findMatch(r: RosterRecord, byId: Map<string, Existing>, byKey: Map<string, Existing[]>): Existing | 'ambiguous' | undefined {
  if (r.idNumber) {
    const found = byId.get(r.idNumber);
    if (found) return found;
  }
  if (!r.birthDate) return undefined;
  // A row with an ID number may complete a child recorded without one, never replace another child's.
  const candidates = (byKey.get(key(r.name, r.birthDate, r.areaCode)) ?? []).filter((c) => !r.idNumber || c.idNumber === null);
  // A registration from the field that duplicates a roster child (pending, or rejected as a duplicate) must not
  // make the roster's own row ambiguous: the record in the best standing is the one meant.
  for (const status of statusPreference) {
    const inStatus = candidates.filter((c) => c.status === status);
    if (inStatus.length > 1) return 'ambiguous';
    if (inStatus.length === 1) return inStatus[0];
  }
  return undefined;
}

function changes(before: Existing, r: RosterRecord, options: { today: string; policy: PolicyRow[] }): { set: Partial<ChildValues>; fields: string[] } {
  const set: Partial<ChildValues> = {};
  const given: Partial<ChildValues> = {
    name: r.name,
    areaCode: r.areaCode,
    ...(r.sex ? { sex: r.sex } : {}),
    ...(r.birthDate ? { birthDate: r.birthDate } : {}),
    ...(r.idNumber ? { idNumber: r.idNumber } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.risk ? { riskLevel: r.risk } : {}),
    ...(r.address ? { address: r.address } : {}),
    ...(r.guardianName ? { guardianName: r.guardianName } : {}),
    ...(r.guardianRelation ? { guardianRelation: r.guardianRelation } : {}),
    ...(r.guardianPhone ? { guardianPhone: r.guardianPhone } : {}),
  };
  for (const [field, value] of Object.entries(given) as [keyof ChildValues, ChildValues[keyof ChildValues]][]) {
    const old = before[field];
    const same = Array.isArray(value) && Array.isArray(old) ? [...old].sort().join() === value.join() : old === value;
    if (!same) (set as Record<string, unknown>)[field] = value;
  }
  // The roster is the authority on who is on it: a pending or closed child listed here is active.
  if (before.status !== 'active') set.status = 'active';
  // A newer visit recorded outside the bot moves the schedule; an older one never overrides the bot's own record.
  if (r.lastVisit && (before.lastVisitOn === null || r.lastVisit > before.lastVisitOn)) {
    set.lastVisitOn = r.lastVisit;
    set.nextVisitDue = nextVisitDue({
      lastVisitOn: r.lastVisit,
      categories: set.categories ?? before.categories,
      risk: set.riskLevel ?? before.riskLevel,
      rows: options.policy,
      today: options.today,
    });
  }
  const fields = Object.keys(set).filter((f) => f !== 'nextVisitDue');
  const fieldNames: Record<string, string> = { birthDate: 'birthDate', riskLevel: 'risk', lastVisitOn: 'lastVisit', guardianName: 'guardian' };
  return { set, fields: fields.map((f) => fieldNames[f] ?? f) };
}

function resolveCaseworker(ref: string | null, people: { id: number; name: string; role: string }[]): { id: number | null; problem?: string } {
  if (!ref) return { id: null };
  if (/^\d+$/.test(ref)) {
    const byNumber = people.find((p) => p.id === Number(ref));
    if (byNumber) return { id: byNumber.id };
  }
  const named = people.filter((p) => p.name === ref);
  const caseworkers = named.filter((p) => p.role === 'caseworker');
  const pick = caseworkers.length > 0 ? caseworkers : named;
  if (pick.length === 1) return { id: pick[0]!.id };
  if (pick.length > 1) return { id: null, problem: `caseworker name "${ref}" is shared by staff ${pick.map((p) => p.id).join(', ')}: use the staff id` };
  return { id: null, problem: `unknown caseworker "${ref}" (an active staff member's name or id; add them with: invite --name)` };
}

// Rows per INSERT: fewer, larger statements are much faster (PGlite especially), within PostgreSQL's limit of
// 65,535 parameters per statement (a child row binds 17).
const CHUNK = 2000;
const SMALL_ROW_CHUNK = 5000;

/** Writes the plan in the caller's transaction: children, caseload assignments and one audit entry per child. */
export async function applyRosterImport(tx: Conn, plan: RosterPlan, now: Date): Promise<void> {
  const audits: (typeof auditLog.$inferInsert)[] = [];
  const newAssignments: { childId: number; staffId: number; startedAt: Date }[] = [];
  for (let i = 0; i < plan.creates.length; i += CHUNK) {
    const chunk = plan.creates.slice(i, i + CHUNK);
    // A multi-row INSERT … RETURNING yields its rows in the order of the VALUES list.
    const ids = await tx
      .insert(children)
      .values(chunk.map((c) => ({ ...c.values, createdAt: now, updatedAt: now })))
      .returning({ id: children.id });
    chunk.forEach((c, j) => {
      const childId = ids[j]!.id;
      audits.push({ actorStaffId: null, channel: 'cli', action: 'child.import.create', childId, detail: { line: c.line }, at: now });
      if (c.caseworkerId !== null) newAssignments.push({ childId, staffId: c.caseworkerId, startedAt: now });
    });
  }
  const moved: number[] = [];
  for (const u of plan.updates) {
    if (Object.keys(u.set).length > 0) await tx.update(children).set({ ...u.set, updatedAt: now }).where(eq(children.id, u.childId));
    if (u.caseworkerId !== null) {
      moved.push(u.childId);
      newAssignments.push({ childId: u.childId, staffId: u.caseworkerId, startedAt: now });
    }
    audits.push({ actorStaffId: null, channel: 'cli', action: 'child.import.update', childId: u.childId, detail: { line: u.line, fields: u.fields }, at: now });
  }
  for (let i = 0; i < moved.length; i += CHUNK) {
    await tx
      .update(assignments)
      .set({ endedAt: now })
      .where(and(inArray(assignments.childId, moved.slice(i, i + CHUNK)), isNull(assignments.endedAt)));
  }
  for (let i = 0; i < newAssignments.length; i += SMALL_ROW_CHUNK) await tx.insert(assignments).values(newAssignments.slice(i, i + SMALL_ROW_CHUNK));
  for (let i = 0; i < audits.length; i += SMALL_ROW_CHUNK) await tx.insert(auditLog).values(audits.slice(i, i + SMALL_ROW_CHUNK));
}

export function countOutcomes(plan: RosterPlan): Record<RowOutcome, number> {
  const counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const r of plan.rows) counts[r.outcome]++;
  return counts;
}
