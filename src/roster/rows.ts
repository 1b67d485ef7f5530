// One roster row → a clean record, or the reasons it cannot be imported. Blank cells mean "not given": an
// update keeps what the database has, a new child gets the defaults.
import { categoryFromText, type ChildCategory } from '../domain/categories.js';
import { validateIdNumber } from '../domain/idNumber.js';
import type { RiskLevel } from '../db/schema.js';
import type { ColumnMap, RosterField } from './columns.js';
import { parseRosterDate } from './dates.js';
import { reason, type Reason } from '../i18n/sections/roster.js';
import type { TableRow } from './table.js';
import { cleanCode, cleanName, cleanText, splitList } from './text.js';
import { shortDivisionCode } from './areas.js';

export interface RosterRecord {
  name: string;
  sex: 'male' | 'female' | null;
  birthDate: string | null;
  idNumber: string | null;
  categories: ChildCategory[] | null;
  risk: RiskLevel | null;
  areaCode: string;
  address: string | null;
  guardianName: string | null;
  guardianRelation: string | null;
  guardianPhone: string | null;
  /** A staff id or name, resolved against the staff table by the planner. */
  caseworker: string | null;
  lastVisit: string | null;
}

export type ParsedRow = { ok: true; record: RosterRecord } | { ok: false; reasons: Reason[]; name: string };

const sexWords: Record<string, 'male' | 'female'> = {
  男: 'male', 男性: 'male', 男孩: 'male', m: 'male', male: 'male', boy: 'male', '1': 'male',
  女: 'female', 女性: 'female', 女孩: 'female', f: 'female', female: 'female', girl: 'female', '2': 'female',
};

const riskWords: Record<string, RiskLevel> = {
  红: 'red', 红色: 'red', red: 'red', '🔴': 'red', 高: 'red',
  橙: 'orange', 橙色: 'orange', orange: 'orange', '🟠': 'orange', 较高: 'orange',
  黄: 'yellow', 黄色: 'yellow', yellow: 'yellow', '🟡': 'yellow', 中: 'yellow',
  绿: 'green', 绿色: 'green', green: 'green', '🟢': 'green', 低: 'green',
};

const idReasons = {
  format: reason('row.idFormat'),
  checksum: reason('row.idChecksum'),
  birth_date: reason('row.idBirth'),
} as const;

/** Mainland mobile numbers, or landlines with an area code; a leading +86 is dropped. */
export function normalizePhone(raw: string): string | undefined {
  const digits = cleanCode(raw).replace(/[()]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
  if (/^1[3-9]\d{9}$/.test(digits) || /^0\d{9,11}$/.test(digits) || /^[2-9]\d{6,7}$/.test(digits)) return digits;
  return undefined;
}

export function parseRosterRow(row: TableRow, map: ColumnMap, today: string): ParsedRow {
  const cell = (field: RosterField): string => {
    const index = map.columns[field];
    return index === undefined ? '' : (row.cells[index] ?? '');
  };
  const reasons: Reason[] = [];
  const name = cleanName(cell('name'));
  if (!name) reasons.push(reason('row.noName'));
  else if (name.length > 50) reasons.push(reason('row.nameTooLong'));

  let idNumber: string | null = null;
  let idBirth: string | undefined;
  let idSex: 'male' | 'female' | undefined;
  const idColumn = map.columns.idNumber;
  if (idColumn !== undefined && row.lossy?.has(idColumn)) {
    reasons.push(reason('row.idLossy'));
  } else if (cleanText(cell('idNumber'))) {
    const check = validateIdNumber(cleanCode(cell('idNumber')));
    if (check.ok) {
      idNumber = check.idNumber;
      idBirth = check.birthDate;
      idSex = check.sex;
    } else reasons.push(idReasons[check.reason]);
  }

  let sex: 'male' | 'female' | null = idSex ?? null;
  const sexText = cleanText(cell('sex')).toLowerCase();
  if (sexText) {
    const given = sexWords[sexText];
    if (!given) reasons.push(reason('row.unknownSex', { sex: sexText }));
    else if (idSex && given !== idSex) reasons.push(reason('row.sexContradicts', { sex: sexText }));
    else sex = given;
  }

  let birthDate: string | null = idBirth ?? null;
  const birthText = cleanText(cell('birthDate'));
  if (birthText) {
    const given = parseRosterDate(birthText);
    if (!given) reasons.push(reason('row.invalidBirth', { date: birthText }));
    else if (given > today) reasons.push(reason('row.birthFuture', { date: given }));
    else if (idBirth && given !== idBirth) reasons.push(reason('row.birthDiffers', { date: given, id: idBirth }));
    else birthDate = given;
  }
  if (!idNumber && !birthDate && !reasons.some((r) => r.key.startsWith('row.id') || /birth/i.test(r.key))) {
    reasons.push(reason('row.needIdOrBirth'));
  }

  let categories: ChildCategory[] | null = null;
  if (cleanText(cell('categories'))) {
    const found: ChildCategory[] = [];
    for (const part of splitList(cell('categories'))) {
      const category = categoryFromText(part);
      if (!category) reasons.push(reason('row.unknownCategory', { category: part }));
      else if (!found.includes(category)) found.push(category);
    }
    categories = found.sort();
  }

  let risk: RiskLevel | null = null;
  const riskText = cleanText(cell('risk')).toLowerCase().replace(/风险$/, '');
  if (riskText) {
    risk = riskWords[riskText] ?? null;
    if (!risk) reasons.push(reason('row.unknownRisk', { risk: riskText }));
  }

  const areaCode = shortDivisionCode(cell('areaCode'));
  if (!areaCode) reasons.push(reason('row.noArea'));

  let guardianPhone: string | null = null;
  if (cleanText(cell('guardianPhone'))) {
    guardianPhone = normalizePhone(cell('guardianPhone')) ?? null;
    if (!guardianPhone) reasons.push(reason('row.invalidPhone'));
  }

  let lastVisit: string | null = null;
  const visitText = cleanText(cell('lastVisit'));
  if (visitText) {
    lastVisit = parseRosterDate(visitText) ?? null;
    if (!lastVisit) reasons.push(reason('row.invalidVisit', { date: visitText }));
    else if (lastVisit > today) reasons.push(reason('row.visitFuture', { date: lastVisit }));
    else if (birthDate && lastVisit < birthDate) reasons.push(reason('row.visitBeforeBirth', { date: lastVisit }));
  }

  if (reasons.length > 0) return { ok: false, reasons, name };
  const optional = (field: RosterField, max = 200) => cleanText(cell(field)).slice(0, max) || null;
  return {
    ok: true,
    record: {
      name,
      sex,
      birthDate,
      idNumber,
      categories,
      risk,
      areaCode,
      address: optional('address'),
      guardianName: cleanName(cell('guardian')).slice(0, 50) || null,
      guardianRelation: optional('guardianRelation', 20),
      guardianPhone,
      caseworker: cleanText(cell('caseworker')) || null,
      lastVisit,
    },
  };
}
