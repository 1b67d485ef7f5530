// File a mandatory report (强制报告). Safety first: immediate danger is asked before anything else.
import { z } from 'zod';
import { bold, message, rich } from '../bot/message.js';
import { audit } from '../db/audit.js';
import { nextRef } from '../db/refs.js';
import { reportEvents, reports } from '../db/schema.js';
import { reportSituations } from '../domain/categories.js';
import { yearOf } from '../domain/dates.js';
import { nameOf, situationNames, situationShortNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { chosenChild } from './childInfo.js';
import { alertReportHandlers } from './reportAlert.js';
import { choiceStep, textStep, yesNoStep } from './steps.js';
import type { Answers, Flow, FlowContext } from './types.js';

const reportAnswers = z.object({
  danger: z.enum(['yes', 'no']),
  child: z.union([z.number().int().positive(), z.literal('unknown')]),
  description: z.string().max(1000).nullish(),
  situations: z.array(z.enum(reportSituations)).min(1),
  observed: z.string().min(1).max(2000),
  when: z.string().min(1).max(200),
  where: z.string().min(1).max(200),
  police: z.enum(['yes', 'no']),
  receipt: z.string().max(100).nullish(),
});

async function resolveReport(ctx: FlowContext, answers: Answers) {
  const a = reportAnswers.parse(answers);
  const child = a.child === 'unknown' ? undefined : await chosenChild(ctx, answers);
  return { ...a, child };
}

export const reportFlow: Flow = {
  name: 'report',
  title: { 'zh-CN': '强制报告', en: 'Mandatory report' },
  confirm: true,
  steps: [
    yesNoStep('danger', 'report.danger', { yes: 'report.dangerYes', no: 'report.dangerNo' }),
    choiceStep('guidance', 'report.guidance', {
      values: ['called', 'later'],
      label: (v, ctx) => flowText(ctx.locale, v === 'called' ? 'report.called' : 'report.later'),
      columns: 1,
      when: (a) => a.danger === 'yes',
      editable: false,
    }),
    { id: 'child', kind: 'child', allowUnknown: true, includePending: true, prompt: (ctx) => rich(flowText(ctx.locale, 'report.child')) },
    textStep('description', 'report.describe', { max: 1000, when: (a) => a.child === 'unknown' }),
    {
      id: 'situations',
      kind: 'multi',
      min: 1,
      prompt: (ctx) => rich(flowText(ctx.locale, 'report.situations')),
      choices: (ctx) => reportSituations.map((s) => ({ value: s, label: nameOf(situationShortNames, ctx.locale, s) })),
      display: (v, ctx) => (v as string[]).map((s) => nameOf(situationShortNames, ctx.locale, s)).join('、'),
    },
    textStep('observed', 'report.observed', { max: 2000 }),
    textStep('when', 'report.when', { max: 200 }),
    textStep('where', 'report.where', { max: 200 }),
    yesNoStep('police', 'report.police', { yes: 'report.policeYes', no: 'report.policeNo' }),
    textStep('receipt', 'report.receipt', { max: 100, optional: true, when: (a) => a.police === 'yes' }),
  ],

  async summary(ctx, answers) {
    const r = await resolveReport(ctx, answers);
    const t = (key: Parameters<typeof flowText>[1], params?: Record<string, string>) => flowText(ctx.locale, key, params);
    return rich(
      bold(r.child ? r.child.name : t('report.unknownChild')), r.description ? `（${r.description}）` : '', '\n',
      r.situations.map((s) => `• ${nameOf(situationNames, ctx.locale, s)}`).join('\n'), '\n',
      t('report.summaryObserved', { text: r.observed }), '\n',
      t('report.summaryWhenWhere', { when: r.when, where: r.where }), '\n',
      t(r.danger === 'yes' ? 'report.alertDanger' : 'report.alertNoDanger'), ' · ',
      t(r.police === 'yes' ? 'report.alertPoliceTold' : 'report.alertPoliceNotTold', { receipt: r.receipt ?? '' }),
    );
  },

  async commit(ctx, answers) {
    const r = await resolveReport(ctx, answers);
    const ref = await nextRef(ctx.tx, 'BG', yearOf(ctx.today));
    const areaCode = r.child?.areaCode ?? ctx.actor.areaCode;
    const [row] = await ctx.tx
      .insert(reports)
      .values({
        ref,
        childId: r.child?.id ?? null,
        childDescription: r.description ?? null,
        areaCode,
        situations: r.situations,
        observed: r.observed,
        occurredWhen: r.when,
        occurredWhere: r.where,
        immediateDanger: r.danger === 'yes',
        policeTold: r.police === 'yes',
        policeReceipt: r.receipt ?? null,
        reporterStaffId: ctx.actor.staffId,
        channel: ctx.channel,
        createdAt: ctx.now,
      })
      .returning({ id: reports.id });
    const reportId = row!.id;
    await ctx.tx.insert(reportEvents).values({ reportId, kind: 'filed', staffId: ctx.actor.staffId, at: ctx.now });
    const handlers = await alertReportHandlers(ctx.tx, reportId, 0, ctx.now, ctx.config);
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'report.create', childId: r.child?.id ?? null, reportId, detail: { ref } });
    const notified = handlers.map((h) => h.name).join('、') || flowText(ctx.locale, 'report.nobody');
    const lines = rich(
      '✅ ', flowText(ctx.locale, 'report.saved', { ref }), '\n',
      flowText(ctx.locale, 'report.notified', { names: notified, minutes: ctx.config.REPORT_ACK_MINUTES }),
    );
    if (r.danger === 'yes' && r.police === 'no') lines.push(...rich('\n⚠️ ', flowText(ctx.locale, 'report.callNow')));
    return [message(lines)];
  },
};
