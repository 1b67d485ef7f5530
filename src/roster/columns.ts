// The roster's columns and the header spellings accepted for each, in Chinese and English.
import { headerKey } from './text.js';

export const rosterFields = [
  'name',
  'sex',
  'birthDate',
  'idNumber',
  'categories',
  'risk',
  'areaCode',
  'address',
  'guardian',
  'guardianRelation',
  'guardianPhone',
  'caseworker',
  'lastVisit',
] as const;
export type RosterField = (typeof rosterFields)[number];

const aliases: Record<RosterField, string[]> = {
  name: ['姓名', '儿童姓名', '名字', 'name', 'child name', 'child_name', 'full name'],
  sex: ['性别', 'sex', 'gender'],
  birthDate: ['出生日期', '出生年月日', '出生年月', '生日', 'birth_date', 'birth date', 'birthdate', 'date of birth', 'dob'],
  idNumber: ['身份证号', '身份证号码', '公民身份号码', '身份证', '证件号码', 'id_number', 'id number', 'id no', 'id', 'idno', 'id card'],
  categories: ['类别', '儿童类别', '类型', '儿童类型', 'categories', 'category', 'type'],
  risk: ['风险等级', '风险', '风险级别', 'risk', 'risk level', 'risk_level'],
  areaCode: [
    '村(社区)代码',
    '村(社区)区划代码',
    '村代码',
    '社区代码',
    '区划代码',
    '所在村(社区)代码',
    'area_code',
    'area code',
    'village_code',
    'village code',
    'area',
  ],
  address: ['住址', '家庭住址', '地址', '现住址', 'address'],
  guardian: ['监护人', '监护人姓名', 'guardian', 'guardian name', 'guardian_name'],
  guardianRelation: ['与儿童关系', '监护人关系', '与监护人关系', '关系', 'guardian_relation', 'relation', 'relationship'],
  guardianPhone: ['监护人电话', '监护人联系电话', '联系电话', '电话', 'guardian_phone', 'guardian phone', 'phone'],
  caseworker: ['儿童主任', '负责儿童主任', '负责人', '社工', 'caseworker', 'children director', 'case worker'],
  lastVisit: ['最近走访日期', '上次走访日期', '最后走访日期', '上次走访', 'last_visit', 'last visit', 'last visit date', 'last_visit_date'],
};

const byKey = new Map<string, RosterField>();
for (const field of rosterFields) for (const alias of aliases[field]) byKey.set(headerKey(alias), field);

export interface ColumnMap {
  /** Field → column index. */
  columns: Partial<Record<RosterField, number>>;
  /** Headers that matched nothing (reported, then ignored). */
  unknown: string[];
  /** Fields named by two columns. */
  repeated: RosterField[];
}

export function mapRosterHeader(header: string[]): ColumnMap {
  const columns: Partial<Record<RosterField, number>> = {};
  const unknown: string[] = [];
  const repeated: RosterField[] = [];
  header.forEach((cell, index) => {
    if (cell.trim() === '') return;
    const field = byKey.get(headerKey(cell));
    if (!field) unknown.push(cell.trim());
    else if (columns[field] !== undefined) repeated.push(field);
    else columns[field] = index;
  });
  return { columns, unknown, repeated };
}

export const requiredRosterFields: RosterField[] = ['name', 'areaCode'];

/** The English header of each field, for the import report and the template. */
export const rosterHeaderNames: Record<RosterField, string> = {
  name: 'name',
  sex: 'sex',
  birthDate: 'birth_date',
  idNumber: 'id_number',
  categories: 'categories',
  risk: 'risk',
  areaCode: 'area_code',
  address: 'address',
  guardian: 'guardian',
  guardianRelation: 'guardian_relation',
  guardianPhone: 'guardian_phone',
  caseworker: 'caseworker',
  lastVisit: 'last_visit',
};
