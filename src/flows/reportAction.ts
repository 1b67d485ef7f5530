// 记录处置: a handler records one action taken on a report — chosen from the enumerated list, with an optional note
// (required for "other"). Stamped with who and when; the reporter hears that action was taken.
import { reportActions, type ReportAction } from '../domain/reportHandling.js';
import { reportText } from '../i18n/sections/reports.js';
import { formatInstant } from '../scheduler/text.js';
import { reportCard } from './reportButtons.js';
import { formPrompt, handlerRoles, handling, noteParser, reportToChange } from './reportForm.js';
import { acknowledge, recordStep, tellReporter } from './reportProgress.js';
import type { Flow, TextStep } from './types.js';

const NOTE_MAX = 500;

const noteStep = (id: string, prompt: 'flow.actionNote' | 'flow.actionNoteRequired', other: boolean): TextStep => ({
  id,
  kind: 'text',
  prompt: formPrompt(prompt),
  parse: noteParser(NOTE_MAX),
  optional: !other,
  when: (a) => (a.action === 'other') === other,
});

export const reportActionFlow: Flow = {
  name: 'report-action',
  title: { 'zh-CN': '记录处置', en: 'Record an action' },
  confirm: false,
  roles: handlerRoles,
  steps: [
    {
      id: 'action',
      kind: 'choice',
      columns: 1,
      prompt: formPrompt('flow.action'),
      choices: (ctx) => reportActions.map((a) => ({ value: a, label: reportText(ctx.locale, `action.${a}`) })),
      display: (v, ctx) => reportText(ctx.locale, `action.${v as ReportAction}`),
    },
    noteStep('note', 'flow.actionNote', false),
    noteStep('otherNote', 'flow.actionNoteRequired', true),
  ],

  async commit(ctx, answers) {
    const found = await reportToChange(ctx, answers);
    if ('refusal' in found) return found.refusal;
    const r = found.report;
    const action = reportActions.find((a) => a === answers.action);
    if (!action) throw new Error('report-action: no action chosen');
    const note = (answers.note ?? answers.otherNote ?? null) as string | null;
    const hctx = handling(ctx);
    await acknowledge(hctx, r);
    await recordStep(hctx, r, 'action', { action, ...(note ? { note } : {}) });
    await tellReporter(hctx, r, `acted:${ctx.now.getTime()}`, false, (locale, time) => reportText(locale, 'tell.acted', { ref: r.ref, time }));
    const saved = reportText(ctx.locale, 'flow.actionSaved', {
      action: reportText(ctx.locale, `action.${action}`),
      ref: r.ref,
      name: ctx.actor.name,
      time: formatInstant(ctx.now, ctx.config.TZ_NAME, ctx.locale),
    });
    return [await reportCard(ctx.tx, ctx.locale, { ...r, status: 'acknowledged' }, ctx.config.TZ_NAME, saved)];
  },
};
