// The area tree from a CSV of administrative division codes (GB/T 2260 and the statistical codes): level and
// materialised path come from the code's shape — 2 digits province, 4 city, 6 county, 9 township, 12 village —
// unless the file gives a level or a parent (for an NGO's own, non-numeric area codes).
import { asc, eq, like, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import { areas, children, type AreaLevel } from '../db/schema.js';
import { reason, ReasonError, type Reason } from '../i18n/sections/roster.js';
import type { Table } from './table.js';
import { cleanCode, cleanText, headerKey } from './text.js';

export const areaLevels: AreaLevel[] = ['province', 'city', 'county', 'township', 'village'];
const lengthOfLevel: Record<AreaLevel, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };
const levelOfLength = new Map<number, AreaLevel>(areaLevels.map((l) => [lengthOfLevel[l], l]));

const levelWords: Record<string, AreaLevel> = {
  province: 'province', 省: 'province', 省级: 'province', 自治区: 'province', 直辖市: 'province',
  city: 'city', 市: 'city', 地级市: 'city', 市级: 'city', 州: 'city', 地区: 'city', prefecture: 'city',
  county: 'county', 县: 'county', 区: 'county', 县级: 'county', 县区: 'county', 县级市: 'county', district: 'county',
  township: 'township', 乡: 'township', 镇: 'township', 乡镇: 'township', 街道: 'township', 乡级: 'township', town: 'township',
  village: 'village', 村: 'village', 社区: 'village', 村级: 'village', 居委会: 'village', 村委会: 'village', '村(社区)': 'village', community: 'village',
};

/**
 * A division code in its short form: 12-digit statistical codes padded with zeros (440103001000) and 6-digit
 * codes of provinces and cities (440000, 440100) are shortened to the digits that carry meaning.
 */
export function shortDivisionCode(raw: string): string {
  // Digits written with spaces or dashes are one code; an NGO's own codes (NGO-A) keep their dashes.
  const digits = cleanCode(raw);
  const code = /^\d+$/.test(digits) ? digits : cleanText(raw).replace(/\s+/g, '');
  if (/^\d{12}$/.test(code)) {
    for (const length of [2, 4, 6, 9]) if (/^0+$/.test(code.slice(length))) return code.slice(0, length);
    return code;
  }
  if (/^\d{6}$/.test(code)) {
    if (code.endsWith('0000')) return code.slice(0, 2);
    if (code.endsWith('00')) return code.slice(0, 4);
  }
  return code;
}

export function levelFromCode(code: string): AreaLevel | undefined {
  return /^\d+$/.test(code) ? levelOfLength.get(code.length) : undefined;
}

/** `/44/4401/440103/440103001/` for 440103001: every ancestor's code, whether or not it is in the table. */
export function pathFromCode(code: string): string {
  const prefixes = [2, 4, 6, 9, 12].filter((n) => n <= code.length).map((n) => code.slice(0, n));
  return `/${prefixes.join('/')}/`;
}

function parentFromCode(code: string): string | undefined {
  const lengths = [2, 4, 6, 9, 12];
  const index = lengths.indexOf(code.length);
  return index > 0 && /^\d+$/.test(code) ? code.slice(0, lengths[index - 1]) : undefined;
}

const headerAliases: Record<'code' | 'name' | 'parent' | 'level', string[]> = {
  code: ['code', 'area_code', '代码', '编码', '区划代码', '行政区划代码', '统计用区划代码', '区划编码'],
  name: ['name', 'area_name', '名称', '区划名称', '单位名称', '行政区划名称', '地名'],
  parent: ['parent_code', 'parent', '上级代码', '上级区划代码', '父级代码', '上级编码'],
  level: ['level', '级别', '层级', '区划级别'],
};

export interface AreaRowResult {
  line: number;
  code: string;
  name: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'rejected';
  reason?: Reason;
}

export interface AreaImportPlan {
  results: AreaRowResult[];
  /** Rows to write, parents before children. */
  writes: { code: string; name: string; level: AreaLevel; parentCode: string | null; path: string; oldPath?: string }[];
}

export class AreaFileError extends ReasonError {}

export async function planAreaImport(conn: Conn, table: Table): Promise<AreaImportPlan> {
  const col: Partial<Record<keyof typeof headerAliases, number>> = {};
  table.header.forEach((cell, index) => {
    for (const [field, names] of Object.entries(headerAliases) as [keyof typeof headerAliases, string[]][]) {
      if (names.some((n) => headerKey(n) === headerKey(cell)) && col[field] === undefined) col[field] = index;
    }
  });
  if (col.code === undefined || col.name === undefined) {
    throw new AreaFileError(reason('file.areaColumns', { found: table.header.join(', ') }));
  }
  const existing = new Map((await conn.select().from(areas)).map((a) => [a.code, a]));
  const results: AreaRowResult[] = [];
  interface Entry { line: number; code: string; name: string; level: AreaLevel; parentCode: string | null; parentGiven: boolean; result: AreaRowResult }
  const entries = new Map<string, Entry>();

  for (const row of table.rows) {
    const cell = (i: number | undefined) => (i === undefined ? '' : (row.cells[i] ?? ''));
    const code = shortDivisionCode(cell(col.code));
    const name = cleanText(cell(col.name));
    const result: AreaRowResult = { line: row.line, code, name, outcome: 'rejected' };
    results.push(result);
    const levelText = cleanText(cell(col.level)).toLowerCase();
    const level = levelText ? levelWords[levelText] : levelFromCode(code);
    const parentText = shortDivisionCode(cell(col.parent));
    if (!code) result.reason = reason('area.noCode');
    else if (!/^[\w-]{1,40}$/.test(code)) result.reason = reason('area.invalidCode', { code });
    else if (!name) result.reason = reason('area.noName');
    else if (!level) {
      result.reason = levelText
        ? reason('area.unknownLevel', { level: levelText })
        : reason('area.levelFromCode', { code });
    } else if (entries.has(code)) result.reason = reason('area.duplicate', { line: entries.get(code)!.line });
    else {
      const parentCode = parentText || parentFromCode(code) || null;
      if (parentCode === code) result.reason = reason('area.ownParent');
      else entries.set(code, { line: row.line, code, name, level, parentCode, parentGiven: parentText !== '', result });
    }
  }

  // Paths: numeric codes without an explicit parent carry their path in their shape; the others hang below
  // their parent, which must be in the file or already in the database.
  const paths = new Map<string, string | null>();
  const resolving = new Set<string>();
  const pathOf = (code: string): string | null => {
    if (paths.has(code)) return paths.get(code)!;
    const entry = entries.get(code);
    if (!entry) return existing.get(code)?.path ?? null;
    if (resolving.has(code)) {
      entry.result.reason = reason('area.cycle');
      return null;
    }
    resolving.add(code);
    let path: string | null;
    if (!entry.parentGiven && /^\d+$/.test(code)) path = pathFromCode(code);
    else if (entry.parentCode === null) path = `/${code}/`;
    else {
      const parentPath = pathOf(entry.parentCode);
      if (parentPath === null && !entry.result.reason) entry.result.reason = reason('area.unknownParent', { code: entry.parentCode });
      path = parentPath === null ? null : `${parentPath}${code}/`;
    }
    resolving.delete(code);
    paths.set(code, path);
    return path;
  };

  const writes: AreaImportPlan['writes'] = [];
  for (const entry of entries.values()) {
    const path = pathOf(entry.code);
    if (path === null) {
      entry.result.reason ??= reason('area.unknownParent', { code: entry.parentCode ?? '' });
      continue;
    }
    const before = existing.get(entry.code);
    if (!before) entry.result.outcome = 'created';
    else if (before.name === entry.name && before.level === entry.level && before.parentCode === entry.parentCode && before.path === path) {
      entry.result.outcome = 'unchanged';
      continue;
    } else entry.result.outcome = 'updated';
    writes.push({ code: entry.code, name: entry.name, level: entry.level, parentCode: entry.parentCode, path, ...(before && before.path !== path ? { oldPath: before.path } : {}) });
  }
  writes.sort((a, b) => a.path.length - b.path.length);
  return { results, writes };
}

/** Writes a plan; an area that moved takes its whole subtree (children's paths) with it. Run in a transaction. */
export async function applyAreaImport(conn: Conn, plan: AreaImportPlan): Promise<void> {
  // Parents come first in `writes`, and one statement holds a whole chunk: a province's 30,000 villages are quick.
  for (let i = 0; i < plan.writes.length; i += 1000) {
    await conn
      .insert(areas)
      .values(plan.writes.slice(i, i + 1000).map((w) => ({ code: w.code, name: w.name, level: w.level, parentCode: w.parentCode, path: w.path })))
      .onConflictDoUpdate({
        target: areas.code,
        set: { name: sql`excluded.name`, level: sql`excluded.level`, parentCode: sql`excluded.parent_code`, path: sql`excluded.path` },
      });
  }
  for (const w of plan.writes) {
    if (!w.oldPath) continue;
    await conn
      .update(areas)
      .set({ path: sql`${w.path} || substr(${areas.path}, ${w.oldPath.length + 1})` })
      .where(like(areas.path, `${escapeLike(w.oldPath)}%`));
  }
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface AreaNode {
  code: string;
  name: string;
  level: AreaLevel;
  path: string;
  children: number;
}

/** The tree (or a subtree) in path order, with the number of children (active or pending) living in each area. */
export async function listAreas(conn: Conn, underCode?: string): Promise<AreaNode[] | undefined> {
  let prefix = '/';
  if (underCode) {
    const [root] = await conn.select({ path: areas.path }).from(areas).where(eq(areas.code, underCode));
    if (!root) return undefined;
    prefix = root.path;
  }
  const counts = conn
    .select({ areaCode: children.areaCode, n: sql<number>`count(*)::int`.as('n') })
    .from(children)
    .where(sql`${children.status} in ('active', 'pending')`)
    .groupBy(children.areaCode)
    .as('counts');
  const rows = await conn
    .select({ code: areas.code, name: areas.name, level: areas.level, path: areas.path, children: sql<number>`coalesce(${counts.n}, 0)` })
    .from(areas)
    .leftJoin(counts, eq(counts.areaCode, areas.code))
    .where(like(areas.path, `${escapeLike(prefix)}%`))
    .orderBy(asc(areas.path));
  return rows.map((r) => ({ ...r, children: Number(r.children) }));
}
