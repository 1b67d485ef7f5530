// A mandatory report's row, from the moment immediate danger is known. "Danger = yes" opens it as a draft
// (报告填写中) with its reference number and alerts the area's supervisors at once, in the same transaction; each
// later answer keeps the draft current, so a form abandoned half-way still tells the supervisors what was known.
// The finished form files that same row (never a second report) and sends the full report as a follow-up that
// names the same reference. A report with no danger is opened and alerted when it is filed.
import { and, eq, sql } from 'drizzle-orm';
import { audit } from '../db/audit.js';
import type { ChildRow } from '../db/children.js';
import type { Recipient } from '../db/recipients.js';
import { nextRef } from '../db/refs.js';
import { raiseRisk } from '../db/risk.js';
import { reportEvents, reports } from '../db/schema.js';
import { yearOf } from '../domain/dates.js';
import { chosenChild } from './childInfo.js';
import { occurredColumns } from './occurredSteps.js';
import { alertReportHandlers } from './reportAlert.js';
import type { Answers, FlowContext } from './types.js';

/** The report's columns as far as the answers go (a draft has only some of them). */
export interface ReportFields {
  child: ChildRow | undefined;
  description: string | null;
  situations: string[];
  observed: string;
  occurred: ReturnType<typeof occurredColumns>;
  where: string;
  danger: boolean;
  policeTold: boolean;
  receipt: string | null;
}

/** Asked once: for a child in danger the 110 screen's choice (已报警 / 稍后报警 / 无法报警) says whether the police
 * were told; otherwise the police question does. */
export const policeToldIn = (a: Answers): boolean => (a.danger === 'yes' ? a.guidance === 'called' : a.police === 'yes');

const text = (v: unknown) => (typeof v === 'string' ? v : '');

async function knownSoFar(ctx: FlowContext, a: Answers): Promise<ReportFields> {
  const child = typeof a.child === 'number' ? await chosenChild(ctx, a) : undefined;
  return {
    child,
    description: a.child === 'unknown' ? text(a.description) || null : null,
    situations: Array.isArray(a.situations) ? (a.situations as string[]) : [],
    observed: text(a.observed),
    occurred: occurredColumns(a, ctx),
    where: text(a.where),
    danger: a.danger === 'yes',
    policeTold: policeToldIn(a),
    receipt: text(a.receipt) || null,
  };
}

function columns(ctx: FlowContext, f: ReportFields) {
  return {
    childId: f.child?.id ?? null,
    childDescription: f.description,
    // The child's village's supervisors handle it; until a child is named, the reporter's area's.
    areaCode: f.child?.areaCode ?? ctx.actor.areaCode,
    situations: f.situations,
    observed: f.observed,
    ...f.occurred,
    occurredWhere: f.where,
    immediateDanger: f.danger,
    policeTold: f.policeTold,
    policeReceipt: f.receipt,
  };
}

const reportIdOf = (answers: Answers) => (typeof answers.reportId === 'number' ? answers.reportId : undefined);

/** Step effect of "immediate danger": on the first "yes" of a draft, opens the report and alerts at once. */
export async function openUrgentReport(value: unknown, ctx: FlowContext, answers: Answers): Promise<Answers> {
  if (value !== 'yes' || reportIdOf(answers) !== undefined) return {};
  const ref = await nextRef(ctx.tx, 'BG', yearOf(ctx.today));
  const fields = columns(ctx, await knownSoFar(ctx, answers));
  const [row] = await ctx.tx
    .insert(reports)
    .values({ ref, ...fields, status: 'draft', reporterStaffId: ctx.actor.staffId, channel: ctx.channel, createdAt: ctx.now })
    .returning({ id: reports.id });
  const reportId = row!.id;
  await ctx.tx.insert(reportEvents).values({ reportId, kind: 'opened', staffId: ctx.actor.staffId, detail: { immediateDanger: true }, at: ctx.now });
  await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'report.open', childId: fields.childId, reportId, detail: { ref }, at: ctx.now });
  await raiseRiskFor(ctx, fields, reportId);
  await alertReportHandlers(ctx.tx, reportId, 0, ctx.now, ctx.config, { kind: 'preliminary' });
  return { reportId, reportRef: ref };
}

/** Step effect of the later questions: the open draft follows the answers (the reporter's own draft only). */
export async function keepDraftCurrent(_value: unknown, ctx: FlowContext, answers: Answers): Promise<Answers> {
  const reportId = reportIdOf(answers);
  if (reportId === undefined) return {};
  const fields = columns(ctx, await knownSoFar(ctx, answers));
  const updated = await ctx.tx
    .update(reports)
    .set(fields)
    .where(and(eq(reports.id, reportId), eq(reports.reporterStaffId, ctx.actor.staffId), eq(reports.status, 'draft')))
    .returning({ id: reports.id });
  if (updated.length) await raiseRiskFor(ctx, fields, reportId);
  return {};
}

/**
 * Files the finished report: the draft opened at "danger = yes" becomes open (or stays acknowledged, if a
 * supervisor took it meanwhile) and everyone alerted so far gets the full report; otherwise the report is opened
 * now and its area's supervisors alerted. Returns the reference and who was alerted.
 */
export async function fileReport(ctx: FlowContext, answers: Answers, fields: ReportFields): Promise<{ reportId: number; ref: string; handlers: Recipient[] }> {
  const values = columns(ctx, fields);
  const draftId = reportIdOf(answers);
  if (draftId !== undefined) {
    const [row] = await ctx.tx
      .update(reports)
      .set({ ...values, status: sql`case when ${reports.status} = 'draft' then 'open' else ${reports.status} end` })
      .where(and(eq(reports.id, draftId), eq(reports.reporterStaffId, ctx.actor.staffId)))
      .returning({ ref: reports.ref, level: reports.escalationLevel });
    if (row) {
      await recordFiled(ctx, draftId, values.childId, row.ref);
      await raiseRiskFor(ctx, values, draftId);
      const handlers: Recipient[] = [];
      for (let level = 0; level <= row.level; level++) {
        handlers.push(...(await alertReportHandlers(ctx.tx, draftId, level, ctx.now, ctx.config, { kind: 'followUp' })));
      }
      return { reportId: draftId, ref: row.ref, handlers: uniqueRecipients(handlers) };
    }
  }
  const ref = await nextRef(ctx.tx, 'BG', yearOf(ctx.today));
  const [row] = await ctx.tx
    .insert(reports)
    .values({ ref, ...values, reporterStaffId: ctx.actor.staffId, channel: ctx.channel, createdAt: ctx.now })
    .returning({ id: reports.id });
  await recordFiled(ctx, row!.id, values.childId, ref);
  await raiseRiskFor(ctx, values, row!.id);
  const handlers = await alertReportHandlers(ctx.tx, row!.id, 0, ctx.now, ctx.config);
  return { reportId: row!.id, ref, handlers };
}

async function recordFiled(ctx: FlowContext, reportId: number, childId: number | null, ref: string): Promise<void> {
  await ctx.tx.insert(reportEvents).values({ reportId, kind: 'filed', staffId: ctx.actor.staffId, at: ctx.now });
  await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'report.create', childId, reportId, detail: { ref }, at: ctx.now });
}

/** Risk follows the report: a child reported is at least orange, red when in immediate danger. */
async function raiseRiskFor(ctx: FlowContext, fields: { childId: number | null; immediateDanger: boolean }, reportId: number): Promise<void> {
  if (fields.childId === null) return;
  await raiseRisk(ctx.tx, { childId: fields.childId, atLeast: fields.immediateDanger ? 'red' : 'orange', reason: 'report', reportId, staffId: ctx.actor.staffId, at: ctx.now });
}

function uniqueRecipients(list: Recipient[]): Recipient[] {
  return [...new Map(list.map((r) => [r.staffId, r])).values()];
}
