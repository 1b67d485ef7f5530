// The staff list a county sends out invites from: one row per person — name, role, area code (Chinese or English
// headers). Each row is matched to an existing staff record (same name, role and area) or is a new person.
import { and, eq } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { areas, staff, type Role } from '../db/schema.js';
import { reason, ReasonError, type Reason } from '../i18n/sections/roster.js';
import { shortDivisionCode } from './areas.js';
import type { Table } from './table.js';
import { cleanName, cleanText, headerKey } from './text.js';

const headers = {
  name: ['姓名', '名字', 'name'],
  role: ['角色', '身份', '岗位', 'role'],
  areaCode: ['地区代码', '村(社区)代码', '区划代码', '乡镇代码', '工作地区代码', 'area_code', 'area code', 'area'],
} as const;

const roleWords: Record<string, Role> = {
  儿童主任: 'caseworker', 社工: 'caseworker', caseworker: 'caseworker',
  督导员: 'supervisor', 儿童督导员: 'supervisor', 督导: 'supervisor', supervisor: 'supervisor',
  管理员: 'admin', admin: 'admin',
};

export interface StaffRow {
  line: number;
  name: string;
  role?: Role;
  areaCode: string;
  areaName?: string;
  /** The existing record this row is (a reissue), or undefined for a new person. */
  staffId?: number;
  reasons: Reason[];
}

export async function planStaffInvites(conn: Conn, table: Table): Promise<StaffRow[]> {
  const column = (names: readonly string[]) => table.header.findIndex((h) => names.some((n) => headerKey(n) === headerKey(h)));
  const col = { name: column(headers.name), role: column(headers.role), areaCode: column(headers.areaCode) };
  if (col.name < 0 || col.role < 0 || col.areaCode < 0) throw new ReasonError(reason('file.staffColumns', { found: table.header.join(', ') }));
  const areaNames = new Map((await conn.select({ code: areas.code, name: areas.name }).from(areas)).map((a) => [a.code, a.name]));
  const seen = new Map<string, number>();
  const rows: StaffRow[] = [];
  for (const row of table.rows) {
    const cell = (i: number) => row.cells[i] ?? '';
    const name = cleanName(cell(col.name));
    const roleText = cleanText(cell(col.role));
    const role = roleWords[roleText.toLowerCase()];
    const areaCode = shortDivisionCode(cell(col.areaCode));
    const r: StaffRow = { line: row.line, name, role, areaCode, areaName: areaNames.get(areaCode), reasons: [] };
    rows.push(r);
    if (!name) r.reasons.push(reason('staff.noName'));
    if (!role) r.reasons.push(reason('staff.unknownRole', { role: roleText }));
    if (!areaCode) r.reasons.push(reason('staff.noArea'));
    else if (!r.areaName) r.reasons.push(reason('staff.unknownArea', { code: areaCode }));
    const key = `${name}\u0000${role}\u0000${areaCode}`;
    if (seen.has(key)) r.reasons.push(reason('staff.duplicate', { line: seen.get(key)! }));
    else seen.set(key, row.line);
    if (r.reasons.length > 0) continue;
    const [existing] = await conn
      .select({ id: staff.id, active: staff.active })
      .from(staff)
      .where(and(eq(staff.name, name), eq(staff.role, role!), eq(staff.areaCode, areaCode)))
      .orderBy(staff.id)
      .limit(1);
    if (existing && !existing.active) r.reasons.push(reason('staff.inactive', { name, id: existing.id }));
    r.staffId = existing?.id;
  }
  return rows;
}
