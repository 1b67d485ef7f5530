// Exports for the civil-affairs bureau's own systems: children, visits or reports of an area subtree as a table.
// ID and phone numbers are masked unless the export is the admin's full one; a report's reporter is named only
// for admins (the reporter's identity is confidential to the report's handlers).
import { and, asc, eq, inArray, like, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { maskIdNumber, maskPhone } from '../domain/mask.js';
import type { Conn } from '../db/client.js';
import type { ReportEvent } from '../db/reports.js';
import { areas, assignments, children, reportEvents, reports, staff, visits } from '../db/schema.js';
import { categoryNames, dimensionNames, levelNames, riskNames, situationNames, visitKindNames } from '../i18n/domain.js';
import { reportText, type ReportTextKey } from '../i18n/sections/reports.js';
import type { Locale } from '../i18n/translator.js';
import { localTime } from '../scheduler/time.js';
import { dimensions } from '../domain/categories.js';
import { escapeLike } from './areas.js';

export type ExportKind = 'children' | 'visits' | 'reports';

export interface ExportOptions {
  kind: ExportKind;
  /** The area subtree (materialised path prefix). */
  areaPath: string;
  from?: string;
  to?: string;
  fullId: boolean;
  showReporter: boolean;
  locale: Locale;
  timeZone: string;
  /** Extra condition on `children` from the actor's scope (src/db/children.ts); none for an admin. */
  childCondition?: SQL;
}

export interface ExportTable {
  header: string[];
  rows: (string | number | null)[][];
  /** The children whose data the export contains, for the audit log. */
  childIds: number[];
}

const headers: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    child_id: '儿童编号', name: '姓名', sex: '性别', birth_date: '出生日期', id_number: '身份证号', categories: '类别', risk: '风险等级',
    area_code: '村(社区)代码', area_name: '村(社区)', address: '住址', guardian: '监护人', guardian_relation: '与儿童关系',
    guardian_phone: '监护人电话', status: '状态', caseworker: '儿童主任', last_visit: '最近走访日期', next_visit_due: '下次走访日期',
    ref: '编号', visited_on: '走访日期', kind: '走访方式', child_seen: '是否见到儿童', agreement: '委托监护确认书', needs: '发现需求',
    help_given: '已提供帮助', risk_before: '走访前风险', risk_after: '走访后风险', next_visit_on: '下次走访', channel: '渠道',
    created_at: '报告时间', child_description: '儿童描述', situations: '发现情形', observed: '具体情况', occurred_when: '发生时间',
    occurred_where: '发生地点', immediate_danger: '是否紧急', police_told: '是否已报警', police_receipt: '报警回执号', report_status: '处理状态',
    acknowledged_at: '受理时间', escalation_level: '升级层级', reporter: '报告人', actions: '处置措施', follow_up: '回访期限',
    closed_at: '结案时间', outcome: '处置结果', outcome_note: '结案说明',
  },
  en: {},
};

const statusNames: Record<Locale, Record<string, string>> = {
  'zh-CN': { active: '在册', pending: '待审核', rejected: '未通过', closed: '已结案', male: '男', female: '女' },
  en: {},
};

export async function buildExport(conn: Conn, o: ExportOptions): Promise<ExportTable> {
  const h = (key: string) => headers[o.locale][key] ?? key;
  const word = (map: Record<Locale, Record<string, string>>, value: string | null) => (value === null ? '' : (map[o.locale][value] ?? value));
  const risk = (value: string) => word(riskNames, value).replace(/^\S+\s/, '');
  const yes = (value: boolean | null) => (value === null ? '' : o.locale === 'zh-CN' ? (value ? '是' : '否') : value ? 'yes' : 'no');
  const id = (value: string | null) => (o.fullId ? (value ?? '') : maskIdNumber(value));
  const phone = (value: string | null) => (o.fullId ? (value ?? '') : maskPhone(value));
  const inArea = like(areas.path, `${escapeLike(o.areaPath)}%`);
  const childScope = o.childCondition ? [o.childCondition] : [];

  if (o.kind === 'children') {
    const caseworker = alias(staff, 'caseworker');
    const rows = await conn
      .select({ c: children, areaName: areas.name, caseworker: caseworker.name })
      .from(children)
      .innerJoin(areas, eq(areas.code, children.areaCode))
      .leftJoin(assignments, and(eq(assignments.childId, children.id), sql`${assignments.endedAt} is null`))
      .leftJoin(caseworker, eq(caseworker.id, assignments.staffId))
      .where(and(inArea, ...childScope, ...dateRange(sql`(${children.createdAt} at time zone ${o.timeZone})::date`, o)))
      .orderBy(asc(areas.path), asc(children.name), asc(children.id));
    return {
      header: ['child_id', 'name', 'sex', 'birth_date', 'id_number', 'categories', 'risk', 'area_code', 'area_name', 'address', 'guardian', 'guardian_relation', 'guardian_phone', 'status', 'caseworker', 'last_visit', 'next_visit_due'].map(h),
      rows: rows.map(({ c, areaName, caseworker: cw }) => [
        c.id, c.name, word(statusNames, c.sex), c.birthDate, id(c.idNumber), c.categories.map((k) => word(categoryNames, k)).join('、'), risk(c.riskLevel),
        c.areaCode, areaName, c.address, c.guardianName, c.guardianRelation, phone(c.guardianPhone), word(statusNames, c.status), cw, c.lastVisitOn, c.nextVisitDue,
      ]),
      childIds: rows.map((r) => r.c.id),
    };
  }

  if (o.kind === 'visits') {
    const rows = await conn
      .select({ v: visits, childName: children.name, idNumber: children.idNumber, areaCode: children.areaCode, areaName: areas.name, caseworker: staff.name })
      .from(visits)
      .innerJoin(children, eq(children.id, visits.childId))
      .innerJoin(areas, eq(areas.code, children.areaCode))
      .innerJoin(staff, eq(staff.id, visits.staffId))
      .where(and(inArea, ...childScope, ...dateRange(visits.visitedOn, o)))
      .orderBy(asc(visits.visitedOn), asc(visits.id));
    const dimHeaders = dimensions.flatMap((d) => [word(dimensionNames, d), `${word(dimensionNames, d)}${o.locale === 'zh-CN' ? '说明' : ' note'}`]);
    return {
      header: [
        ...['ref', 'child_id', 'name', 'id_number', 'area_code', 'area_name', 'visited_on', 'kind', 'child_seen'].map(h),
        ...dimHeaders,
        ...['agreement', 'needs', 'help_given', 'risk_before', 'risk_after', 'next_visit_on', 'caseworker', 'channel'].map(h),
      ],
      rows: rows.map(({ v, childName, idNumber, areaCode, areaName, caseworker }) => [
        v.ref, v.childId, childName, id(idNumber), areaCode, areaName, v.visitedOn, word(visitKindNames, v.kind), yes(v.childSeen),
        ...dimensions.flatMap((d) => [word(levelNames, v.dimensions[d]?.level ?? null), v.dimensions[d]?.note ?? '']),
        yes(v.guardianshipAgreement), v.needs, v.helpGiven, risk(v.riskBefore), risk(v.riskAfter), v.nextVisitOn, caseworker, v.channel,
      ]),
      childIds: [...new Set(rows.map((r) => r.v.childId))],
    };
  }

  // Reports: scoped by the report's area (a report may name no child); a child named must also be in scope.
  const reporter = alias(staff, 'reporter');
  const reportArea = alias(areas, 'report_area');
  const rows = await conn
    .select({ r: reports, childName: children.name, idNumber: children.idNumber, areaName: reportArea.name, reporter: reporter.name })
    .from(reports)
    .innerJoin(reportArea, eq(reportArea.code, reports.areaCode))
    .leftJoin(children, eq(children.id, reports.childId))
    .innerJoin(reporter, eq(reporter.id, reports.reporterStaffId))
    .where(
      and(
        like(reportArea.path, `${escapeLike(o.areaPath)}%`),
        ...(o.childCondition ? [sql`(${reports.childId} is null or ${o.childCondition})`] : []),
        ...dateRange(sql`(${reports.createdAt} at time zone ${o.timeZone})::date`, o),
      ),
    )
    .orderBy(asc(reports.createdAt), asc(reports.id));
  // Times as the county's clock shows them, like the audit log: 2026-11-23 10:05.
  const at = (d: Date | null) => (d ? localStamp(d, o.timeZone) : '');
  const handling = await handlingOf(conn, rows.map((r) => r.r.id));
  const said = (key: string) => reportText(o.locale, key as ReportTextKey);
  return {
    header: [
      ...['ref', 'created_at', 'area_code', 'area_name', 'child_id', 'name', 'id_number', 'child_description', 'situations', 'observed', 'occurred_when', 'occurred_where', 'immediate_danger', 'police_told', 'police_receipt', 'report_status', 'acknowledged_at', 'actions', 'follow_up', 'closed_at', 'outcome', 'outcome_note', 'escalation_level', 'channel'].map(h),
      ...(o.showReporter ? [h('reporter')] : []),
    ],
    rows: rows.map(({ r, childName, idNumber, areaName, reporter: who }) => {
      const steps = handling.get(r.id) ?? [];
      const actions = steps.filter((e) => e.kind === 'action').map((e) => `${at(e.at)} ${e.staffName ?? ''} ${said(`action.${String(e.detail?.action)}`)}${e.detail?.note ? `（${String(e.detail.note)}）` : ''}`);
      const followUp = steps.filter((e) => e.kind === 'followup').at(-1);
      const closed = steps.filter((e) => e.kind === 'closed').at(-1);
      return [
        r.ref, at(r.createdAt), r.areaCode, areaName, r.childId, childName, id(idNumber), r.childDescription, r.situations.map((s) => word(situationNames, s)).join('；'),
        r.observed, r.occurredWhen, r.occurredWhere, yes(r.immediateDanger), yes(r.policeTold), r.policeReceipt, said(`status.${r.status}`), at(r.acknowledgedAt),
        actions.join('；'), followUp ? String(followUp.detail?.dueOn ?? '') : '', at(closed?.at ?? null), closed ? said(`outcome.${String(closed.detail?.outcome)}`) : '',
        closed ? String(closed.detail?.note ?? '') : '', r.escalationLevel, r.channel, ...(o.showReporter ? [who] : []),
      ];
    }),
    childIds: [...new Set(rows.map((r) => r.r.childId).filter((c): c is number => c !== null))],
  };
}

/** The handling steps (actions, follow-up, closure) of these reports, oldest first, by report. */
async function handlingOf(conn: Conn, reportIds: number[]): Promise<Map<number, (ReportEvent & { reportId: number })[]>> {
  const byReport = new Map<number, (ReportEvent & { reportId: number })[]>();
  if (reportIds.length === 0) return byReport;
  const rows = await conn
    .select({ reportId: reportEvents.reportId, kind: reportEvents.kind, staffName: staff.name, detail: reportEvents.detail, at: reportEvents.at })
    .from(reportEvents)
    .leftJoin(staff, eq(staff.id, reportEvents.staffId))
    .where(and(inArray(reportEvents.reportId, reportIds), inArray(reportEvents.kind, ['action', 'followup', 'closed'])))
    .orderBy(asc(reportEvents.at), asc(reportEvents.id));
  for (const row of rows) byReport.set(row.reportId, [...(byReport.get(row.reportId) ?? []), row]);
  return byReport;
}

function localStamp(at: Date, tz: string): string {
  const { date, minutes } = localTime(at, tz);
  return `${date} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function dateRange(column: SQL | typeof visits.visitedOn, o: { from?: string; to?: string }): SQL[] {
  const out: SQL[] = [];
  if (o.from) out.push(sql`${column} >= ${o.from}::date`);
  if (o.to) out.push(sql`${column} <= ${o.to}::date`);
  return out;
}

