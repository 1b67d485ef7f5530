// 安排回访: a handler asks for a visit to the report's child within N days (3 by default for a child in immediate
// danger). The child's next visit falls due then — earlier if it already was — so it appears in the caseworker's
// reminders like any due visit; the caseworker is told now.
import { and, eq, isNull } from 'drizzle-orm';
import { assignments, children, staff } from '../db/schema.js';
import { addDays } from '../domain/dates.js';
import { defaultFollowUpDays } from '../domain/reportHandling.js';
import { normalizeDigits } from '../domain/text.js';
import { reportText } from '../i18n/sections/reports.js';
import { formatDay } from '../scheduler/text.js';
import { reportChildLabel } from './reportAlert.js';
import { reportCard } from './reportButtons.js';
import { formPrompt, formReport, handlerRoles, handling, reportToChange } from './reportForm.js';
import { acknowledge, recordStep, tell } from './reportProgress.js';
import type { Flow } from './types.js';

const MAX_DAYS = 60;

export const reportFollowUpFlow: Flow = {
  name: 'report-followup',
  title: { 'zh-CN': '安排回访', en: 'Follow-up visit' },
  confirm: false,
  roles: handlerRoles,
  steps: [
    {
      id: 'days',
      kind: 'text',
      prompt: formPrompt('flow.followUp', (r, ctx) => ({ child: r ? reportChildLabel(ctx.locale, r) : '—' })),
      async shortcuts(ctx, answers) {
        const r = await formReport(ctx, answers);
        const first = defaultFollowUpDays(r?.immediateDanger ?? false);
        return [...new Set([first, 1, 3, 7, 14])].map((n) => ({ value: String(n), label: reportText(ctx.locale, 'flow.followUpDays', { n }) }));
      },
      parse(text, ctx) {
        const n = Number(normalizeDigits(text).replace(/[天日days\s]/gi, ''));
        if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) return { ok: false, error: reportText(ctx.locale, 'flow.followUpInvalid') };
        return { ok: true, value: n };
      },
      display: (v, ctx) => reportText(ctx.locale, 'flow.followUpDays', { n: Number(v) }),
    },
  ],

  async commit(ctx, answers) {
    const found = await reportToChange(ctx, answers);
    if ('refusal' in found) return found.refusal;
    const r = found.report;
    if (r.childId === null) return [await reportCard(ctx.tx, ctx.locale, r, ctx.config.TZ_NAME, reportText(ctx.locale, 'flow.followUpNoChild'))];
    const days = Number(answers.days);
    const dueOn = addDays(ctx.today, days);
    const [child] = await ctx.tx.select({ name: children.name, nextVisitDue: children.nextVisitDue }).from(children).where(eq(children.id, r.childId));
    if (!child!.nextVisitDue || child!.nextVisitDue > dueOn) {
      await ctx.tx.update(children).set({ nextVisitDue: dueOn, updatedAt: ctx.now }).where(eq(children.id, r.childId));
    }
    const hctx = handling(ctx);
    await acknowledge(hctx, r);
    await recordStep(hctx, r, 'followup', { days, dueOn });
    const [caseworker] = await ctx.tx
      .select({ id: staff.id, name: staff.name })
      .from(assignments)
      .innerJoin(staff, eq(staff.id, assignments.staffId))
      .where(and(eq(assignments.childId, r.childId), isNull(assignments.endedAt)));
    if (caseworker) {
      await tell(hctx, [caseworker.id], `report:${r.id}:followup:${ctx.now.getTime()}`, false, (locale) =>
        reportText(locale, 'tell.followUp', { child: child!.name, date: formatDay(dueOn, locale, ctx.today) }),
      );
    }
    const saved = reportText(ctx.locale, 'flow.followUpSaved', {
      child: child!.name,
      date: formatDay(dueOn, ctx.locale, ctx.today),
      caseworker: caseworker?.name ?? '—',
    });
    return [await reportCard(ctx.tx, ctx.locale, { ...r, status: 'acknowledged' }, ctx.config.TZ_NAME, saved)];
  },
};
