// What the short handling forms of a report share: the report they are about (carried in the answers as `report`,
// set by the button that started the form) and the handler's context for writing its history.
import { message, rich, type OutMessage, type Rich } from '../bot/message.js';
import { reportForHandler, type ReportInfo } from '../db/reports.js';
import { reportText, type ReportTextKey } from '../i18n/sections/reports.js';
import type { Params } from '../i18n/translator.js';
import { alreadyHandled, type HandlingContext } from './reportProgress.js';
import { once, type Answers, type FlowContext } from './types.js';

export const handlerRoles = ['supervisor', 'admin'] as const;

export function handling(ctx: FlowContext): HandlingContext {
  return { tx: ctx.tx, actor: ctx.actor, channel: ctx.channel, now: ctx.now, config: ctx.config };
}

/** The report the form is about, for its prompts (read once per action). */
export function formReport(ctx: FlowContext, answers: Answers): Promise<ReportInfo | undefined> {
  return once(ctx, `report:${String(answers.report)}`, () => reportForHandler(ctx.tx, ctx.actor, Number(answers.report), { channel: ctx.channel }));
}

export function formPrompt(key: ReportTextKey, params: (r: ReportInfo | undefined, ctx: FlowContext) => Params = () => ({})) {
  return async (ctx: FlowContext, answers: Answers): Promise<Rich> => {
    const r = await formReport(ctx, answers);
    return rich(reportText(ctx.locale, key, { ref: r?.ref ?? '—', ...params(r, ctx) }));
  };
}

/**
 * At commit, the report again — locked, still in the handler's scope, and not closed meanwhile (by someone else
 * closing it at the same moment: that one waits for this lock and is then told who closed it).
 */
export async function reportToChange(ctx: FlowContext, answers: Answers): Promise<{ report: ReportInfo } | { refusal: OutMessage[] }> {
  const r = await reportForHandler(ctx.tx, ctx.actor, Number(answers.report), { channel: ctx.channel, lock: true });
  if (!r) return { refusal: [message(reportText(ctx.locale, 'notFound'))] };
  if (r.status === 'closed') return { refusal: [message(await alreadyHandled(ctx.tx, ctx.locale, r, ctx.config.TZ_NAME))] };
  return { report: r };
}

/** A typed note: trimmed, at most `max` characters. */
export function noteParser(max: number) {
  return (text: string, ctx: FlowContext) =>
    [...text].length > max ? { ok: false as const, error: reportText(ctx.locale, 'flow.noteTooLong', { max }) } : { ok: true as const, value: text };
}
