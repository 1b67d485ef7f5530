// Roster import: plan (read-only: what each row would do) and apply (one transaction). Children are matched by
// ID number, else by name + birth date + area, so importing the same file twice changes nothing.
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { maskIdNumber } from '../domain/mask.js';
import { nextVisitDue, type PolicyRow } from '../domain/visitPolicy.js';
import type { Conn } from '../db/client.js';
import { areas, assignments, auditLog, children, staff, type RiskLevel } from '../db/schema.js';
import { mapRosterHeader, requiredRosterFields, rosterHeaderNames, type RosterField } from './columns.js';
import { parseRosterRow, type RosterRecord } from './rows.js';
import { reason, ReasonError, rosterText, type Reason } from '../i18n/sections/roster.js';
import type { Table } from './table.js';

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface RowReport {
  line: number;
  outcome: RowOutcome;
  name: string;
  /** Masked: the report is printed and may be pasted into a chat. */
  maskedId: string;
  /** Fields that change (updated) or why the row is refused (rejected). */
  details: Reason[];
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

export class RosterFileError extends ReasonError {}

const key = (name: string, birthDate: string | null, areaCode: string) => `${name}\u0000${birthDate ?? ''}\u0000${areaCode}`;

export async function planRosterImport(conn: Conn, table: Table, options: { today: string; policy: PolicyRow[] }): Promise<RosterPlan> {
  const map = mapRosterHeader(table.header);
  const missing = requiredRosterFields.filter((f) => map.columns[f] === undefined);
  if (missing.length > 0) {
    throw new RosterFileError(reason('file.rosterMissing', { columns: missing.map((f) => `${rosterHeaderNames[f]} (${rosterText('zh-CN', `field.${f}`)})`).join(', ') }));
  }
  if (map.repeated.length > 0) throw new RosterFileError(reason('file.rosterRepeated', { columns: map.repeated.map((f) => rosterText('zh-CN', `field.${f}`)).join(', ') }));

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
    if (!areaCodes.has(r.areaCode)) reasons.push(reason('row.unknownArea', { code: r.areaCode }));
    const caseworker = resolveCaseworker(r.caseworker, people);
    if (caseworker.problem) reasons.push(caseworker.problem);

    // The same ID number twice is the same child; the same name, birth date and area too — unless both rows
    // carry (different) ID numbers: two namesakes born the same day.
    const idKey = r.idNumber ? `id:${r.idNumber}` : undefined;
    const nameKey = r.birthDate ? key(r.name, r.birthDate, r.areaCode) : undefined;
    const byIdLine = idKey ? seenKeys.get(idKey) : undefined;
    const byName = nameKey ? seenNames.get(nameKey) : undefined;
    const firstLine = byIdLine ?? (byName && !(r.idNumber && byName.hasId) ? byName.line : undefined);
    if (firstLine !== undefined) reasons.push(reason('row.duplicate', { line: firstLine }));
    if (idKey && !seenKeys.has(idKey)) seenKeys.set(idKey, row.line);
    if (nameKey && !seenNames.has(nameKey)) seenNames.set(nameKey, { line: row.line, hasId: r.idNumber !== null });
    if (reasons.length > 0) continue;

    const match = findMatch(r, byId, byKey);
    if (match === 'ambiguous') {
      reasons.push(reason('row.ambiguous'));
      continue;
    }
    if (match) {
      const claimedBy = claimedChildren.get(match.id);
      if (claimedBy !== undefined) {
        reasons.push(reason('row.sameChild', { line: claimedBy }));
        continue;
      }
      claimedChildren.set(match.id, row.line);
      const { set, fields } = changes(match, r, options);
      const newCaseworker = caseworker.id !== null && current.get(match.id) !== caseworker.id ? caseworker.id : null;
      if (newCaseworker !== null) fields.push('caseworker');
      if (fields.length === 0) report.outcome = 'unchanged';
      else {
        report.outcome = 'updated';
        report.details = fields.map((f) => reason(`field.${f as RosterField}`));
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

function resolveCaseworker(ref: string | null, people: { id: number; name: string; role: string }[]): { id: number | null; problem?: Reason } {
  if (!ref) return { id: null };
  if (/^\d+$/.test(ref)) {
    const byNumber = people.find((p) => p.id === Number(ref));
    if (byNumber) return { id: byNumber.id };
  }
  const named = people.filter((p) => p.name === ref);
  const caseworkers = named.filter((p) => p.role === 'caseworker');
  const pick = caseworkers.length > 0 ? caseworkers : named;
  if (pick.length === 1) return { id: pick[0]!.id };
  if (pick.length > 1) return { id: null, problem: reason('row.sharedCaseworker', { name: ref, ids: pick.map((p) => p.id).join(', ') }) };
  return { id: null, problem: reason('row.unknownCaseworker', { name: ref }) };
}

/** Writes the plan in the caller's transaction: children, caseload assignments and one audit entry per child. */
export async function applyRosterImport(tx: Conn, plan: RosterPlan, now: Date): Promise<void> {
  const audits: AuditRow[] = [];
  const newAssignments: { childId: number; staffId: number }[] = [];
  const ids = await reserveChildIds(tx, plan.creates.length);
  await insertChildren(
    tx,
    plan.creates.map((c, j) => ({ id: ids[j]!, ...c.values })),
    now.toISOString(),
  );
  plan.creates.forEach((c, j) => {
    audits.push({ childId: ids[j]!, action: 'child.import.create', detail: { line: c.line } });
    if (c.caseworkerId !== null) newAssignments.push({ childId: ids[j]!, staffId: c.caseworkerId });
  });
  const moved: number[] = [];
  for (const u of plan.updates) {
    if (Object.keys(u.set).length > 0) await tx.update(children).set({ ...u.set, updatedAt: now }).where(eq(children.id, u.childId));
    if (u.caseworkerId !== null) {
      moved.push(u.childId);
      newAssignments.push({ childId: u.childId, staffId: u.caseworkerId });
    }
    audits.push({ childId: u.childId, action: 'child.import.update', detail: { line: u.line, fields: u.fields } });
  }
  for (let i = 0; i < moved.length; i += 5000) {
    await tx
      .update(assignments)
      .set({ endedAt: now })
      .where(and(inArray(assignments.childId, moved.slice(i, i + 5000)), isNull(assignments.endedAt)));
  }
  // Raw statements get the instant as text: the two drivers disagree on binding a Date outside the query builder.
  const at = now.toISOString();
  if (newAssignments.length > 0) {
    await tx.execute(sql`insert into ${assignments} (child_id, staff_id, started_at)
      select c, s, ${at}::timestamptz from unnest(${column(newAssignments.map((a) => a.childId))}::int[], ${column(newAssignments.map((a) => a.staffId))}::int[]) as u(c, s)`);
  }
  if (audits.length > 0) {
    await tx.execute(sql`insert into ${auditLog} (actor_staff_id, channel, action, child_id, detail, at)
      select null, 'cli', a, c, d::jsonb, ${at}::timestamptz
      from unnest(${column(audits.map((a) => a.action))}::text[], ${column(audits.map((a) => a.childId))}::int[], ${column(audits.map((a) => JSON.stringify(a.detail)))}::text[]) as u(a, c, d)`);
  }
}

interface AuditRow {
  childId: number;
  action: string;
  detail: Record<string, unknown>;
}

/** One array parameter per column (`unnest`): ten thousand rows cost one statement, not 170,000 parameters. */
const column = (values: unknown[]) => sql.param(values);

/** Ids for the new children, taken from the table's own identity sequence, so each row's id is known up front. */
async function reserveChildIds(tx: Conn, n: number): Promise<number[]> {
  if (n === 0) return [];
  const rows = await tx
    .select({ id: sql<number>`nextval(pg_get_serial_sequence('children', 'id'))::int` })
    .from(sql`generate_series(1, ${n}::int)`);
  return rows.map((r) => Number(r.id));
}

async function insertChildren(tx: Conn, rows: (ChildValues & { id: number })[], at: string): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof ChildValues | 'id'>(key: K) => column(rows.map((r) => r[key] ?? null));
  await tx.execute(sql`insert into ${children} (id, name, sex, birth_date, id_number, categories, risk_level, area_code, address,
      guardian_name, guardian_relation, guardian_phone, status, last_visit_on, next_visit_due, created_at, updated_at)
    overriding system value
    select id, name, sex, birth_date::date, id_number, array(select jsonb_array_elements_text(categories::jsonb)), risk_level, area_code,
      address, guardian_name, guardian_relation, guardian_phone, status, last_visit_on::date, next_visit_due::date, ${at}::timestamptz, ${at}::timestamptz
    from unnest(${col('id')}::int[], ${col('name')}::text[], ${col('sex')}::text[], ${col('birthDate')}::text[], ${col('idNumber')}::text[],
      ${column(rows.map((r) => JSON.stringify(r.categories)))}::text[], ${col('riskLevel')}::text[], ${col('areaCode')}::text[], ${col('address')}::text[],
      ${col('guardianName')}::text[], ${col('guardianRelation')}::text[], ${col('guardianPhone')}::text[], ${col('status')}::text[],
      ${col('lastVisitOn')}::text[], ${col('nextVisitDue')}::text[])
      as u(id, name, sex, birth_date, id_number, categories, risk_level, area_code, address, guardian_name, guardian_relation, guardian_phone, status, last_visit_on, next_visit_due)`);
}

export function countOutcomes(plan: RosterPlan): Record<RowOutcome, number> {
  const counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const r of plan.rows) counts[r.outcome]++;
  return counts;
}
