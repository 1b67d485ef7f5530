// File a mandatory report (强制报告). Safety first: immediate danger is asked before anything else.
import { z } from 'zod';
import { bold, message, rich } from '../bot/message.js';
import { reportSituations } from '../domain/categories.js';
import { nameOf, situationNames, situationShortNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { reportFilingText } from '../i18n/sections/reportFiling.js';
import { chosenChild } from './childInfo.js';
import { formatOccurred, occurredColumns, occurredOf, occurredSteps } from './occurredSteps.js';
import { fileReport, keepDraftCurrent, openUrgentReport, policeToldIn } from './reportFiling.js';
import { choiceStep, textStep, yesNoStep } from './steps.js';
import type { Answers, Flow, FlowContext, Step } from './types.js';

const reportAnswers = z.object({
  danger: z.enum(['yes', 'no']),
  child: z.union([z.number().int().positive(), z.literal('unknown')]),
  description: z.string().max(1000).nullish(),
  situations: z.array(z.enum(reportSituations)).min(1),
  observed: z.string().min(1).max(2000),
  when: z.string().regex(/^\d{4}-\d{2}-\d{2}( \S+)?$/),
  whenTime: z.string().nullish(),
  where: z.string().min(1).max(200),
  guidance: z.enum(['called', 'later', 'unable']).optional(),
  police: z.enum(['yes', 'no']).optional(),
  receipt: z.string().max(100).nullish(),
});

async function resolveReport(ctx: FlowContext, answers: Answers) {
  const a = reportAnswers.parse(answers);
  const child = a.child === 'unknown' ? undefined : await chosenChild(ctx, answers);
  return { ...a, child, policeTold: policeToldIn(a) };
}

function followedByTheDraft(steps: Step[]): Step[] {
  return steps.map((step) => (step.effect ? step : { ...step, effect: keepDraftCurrent }));
}

export const reportFlow: Flow = {
  name: 'report',
  title: { 'zh-CN': '强制报告', en: 'Mandatory report' },
  confirm: true,
  // Once danger is known the report exists (reportFiling.ts): every later answer keeps it current.
  steps: followedByTheDraft([
    yesNoStep('danger', 'report.danger', { yes: 'report.dangerYes', no: 'report.dangerNo', effect: openUrgentReport }),
    choiceStep('guidance', (ctx, a) => rich(typeof a.reportRef === 'string' ? `${reportFilingText(ctx.locale, 'preliminary.sent', { ref: a.reportRef })}\n` : '', flowText(ctx.locale, 'report.guidance')), {
      // Ask once: this choice answers "have the police been told?" for a child in danger.
      values: ['called', 'later', 'unable'],
      label: (v, ctx) => (v === 'unable' ? reportFilingText(ctx.locale, 'guidance.unable') : flowText(ctx.locale, v === 'called' ? 'report.called' : 'report.later')),
      columns: 1,
      when: (a) => a.danger === 'yes',
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
    ...occurredSteps(),
    textStep('where', 'report.where', { max: 200 }),
    yesNoStep('police', 'report.police', { yes: 'report.policeYes', no: 'report.policeNo', when: (a) => a.danger !== 'yes' }),
    textStep('receipt', 'report.receipt', { max: 100, optional: true, when: policeToldIn }),
  ]),

  leftBehind: (locale, answers) => (typeof answers.reportRef === 'string' ? reportFilingText(locale, 'abandoned.note', { ref: answers.reportRef }) : undefined),

  async summary(ctx, answers) {
    const r = await resolveReport(ctx, answers);
    const t = (key: Parameters<typeof flowText>[1], params?: Record<string, string>) => flowText(ctx.locale, key, params);
    return rich(
      bold(r.child ? r.child.name : t('report.unknownChild')), r.description ? `（${r.description}）` : '', '\n',
      r.situations.map((s) => `• ${nameOf(situationNames, ctx.locale, s)}`).join('\n'), '\n',
      t('report.summaryObserved', { text: r.observed }), '\n',
      t('report.summaryWhenWhere', { when: formatOccurred(occurredOf(answers).day, occurredOf(answers).time, ctx.locale, ctx), where: r.where }), '\n',
      t(r.danger === 'yes' ? 'report.alertDanger' : 'report.alertNoDanger'), ' · ',
      t(r.policeTold ? 'report.alertPoliceTold' : 'report.alertPoliceNotTold', { receipt: r.receipt ?? '' }),
    );
  },

  async commit(ctx, answers) {
    // The form asks for a description when the child is not on the roster; a report about nobody is never filed.
    if (answers.child === 'unknown' && !String(answers.description ?? '').trim()) return [message(rich('⚠️ ', reportFilingText(ctx.locale, 'refused.nobody')))];
    const r = await resolveReport(ctx, answers);
    const { ref, handlers } = await fileReport(ctx, answers, {
      child: r.child,
      description: r.description ?? null,
      situations: r.situations,
      observed: r.observed,
      occurred: occurredColumns(answers, ctx),
      where: r.where,
      danger: r.danger === 'yes',
      policeTold: r.policeTold,
      receipt: r.receipt ?? null,
    });
    const notified = handlers.map((h) => h.name).join('、') || flowText(ctx.locale, 'report.nobody');
    const lines = rich(
      '✅ ', flowText(ctx.locale, 'report.saved', { ref }), '\n',
      flowText(ctx.locale, 'report.notified', { names: notified, minutes: ctx.config.REPORT_ACK_MINUTES }),
    );
    if (r.danger === 'yes' && !r.policeTold) lines.push(...rich('\n⚠️ ', flowText(ctx.locale, 'report.callNow')));
    return [message(lines)];
  },
};
