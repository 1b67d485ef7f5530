// 结案: a handler closes a report with an outcome and a note, after confirming. If two close it at once, one wins;
// the other waits for the row lock and is told who closed it. Everyone alerted and the reporter hear of it.
import { eq } from 'drizzle-orm';
import { message, rich } from '../bot/message.js';
import { handlersAlerted } from '../db/reports.js';
import { reports } from '../db/schema.js';
import { reportOutcomes, type ReportOutcome } from '../domain/reportHandling.js';
import { reportText } from '../i18n/sections/reports.js';
import { formPrompt, formReport, handlerRoles, handling, noteParser, reportToChange } from './reportForm.js';
import { recordStep, tell, tellReporter } from './reportProgress.js';
import type { Flow } from './types.js';

const NOTE_MAX = 500;

export const reportCloseFlow: Flow = {
  name: 'report-close',
  title: { 'zh-CN': '结案', en: 'Close a report' },
  confirm: true,
  roles: handlerRoles,
  steps: [
    {
      id: 'outcome',
      kind: 'choice',
      columns: 2,
      prompt: formPrompt('flow.outcome'),
      choices: (ctx) => reportOutcomes.map((o) => ({ value: o, label: reportText(ctx.locale, `outcome.${o}`) })),
      display: (v, ctx) => reportText(ctx.locale, `outcome.${v as ReportOutcome}`),
    },
    { id: 'note', kind: 'text', prompt: formPrompt('flow.outcomeNote'), parse: noteParser(NOTE_MAX) },
  ],

  async summary(ctx, answers) {
    const r = await formReport(ctx, answers);
    return rich(
      reportText(ctx.locale, 'flow.closeSummary', {
        ref: r?.ref ?? '—',
        outcome: reportText(ctx.locale, `outcome.${answers.outcome as ReportOutcome}`),
        note: String(answers.note ?? ''),
      }),
    );
  },

  async commit(ctx, answers) {
    const found = await reportToChange(ctx, answers);
    if ('refusal' in found) return found.refusal;
    const r = found.report;
    const outcome = reportOutcomes.find((o) => o === answers.outcome);
    if (!outcome) throw new Error('report-close: no outcome chosen');
    const note = String(answers.note ?? '');
    const acknowledged = r.acknowledgedBy === null ? { acknowledgedBy: ctx.actor.staffId, acknowledgedAt: ctx.now } : {};
    await ctx.tx.update(reports).set({ status: 'closed', ...acknowledged }).where(eq(reports.id, r.id));
    const hctx = handling(ctx);
    await recordStep(hctx, r, 'closed', { outcome, note });
    const outcomeIn = (locale: Parameters<typeof reportText>[0]) => reportText(locale, `outcome.${outcome}`);
    const others = (await handlersAlerted(ctx.tx, r)).filter((id) => id !== ctx.actor.staffId && id !== r.reporterStaffId);
    await tell(hctx, others, `report:${r.id}:closed`, false, (locale, time) =>
      reportText(locale, 'tell.closedOthers', { ref: r.ref, name: ctx.actor.name, time, outcome: outcomeIn(locale) }),
    );
    await tellReporter(hctx, r, 'closed', false, (locale, time) => reportText(locale, 'tell.closed', { ref: r.ref, time, outcome: outcomeIn(locale) }));
    return [message(reportText(ctx.locale, 'flow.closed', { ref: r.ref, outcome: outcomeIn(ctx.locale) }))];
  },
};
