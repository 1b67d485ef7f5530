// The buttons of a report's alert and card: acknowledge (one tap), open the card, and start one of the short
// handling forms (record an action, set a follow-up visit, close, lower the child's risk level). Every press resolves the
// report through the handler's scope; a report outside it answers exactly like one that does not exist.
import { bold, message, plain, type Button, type OutMessage, type Span } from '../bot/message.js';
import type { ActionContext } from '../bot/core.js';
import { audit } from '../db/audit.js';
import type { Conn } from '../db/client.js';
import { reportForHandler, reportHistory, type ReportEvent, type ReportInfo } from '../db/reports.js';
import { nameOf, riskNames } from '../i18n/domain.js';
import { reportText } from '../i18n/sections/reports.js';
import { riskText } from '../i18n/sections/risk.js';
import type { Locale } from '../i18n/translator.js';
import { formatDay, formatInstant } from '../scheduler/text.js';
import { reportFacts } from './reportAlert.js';
import { acknowledge, alreadyHandled } from './reportProgress.js';
import { registerRiskButtons, startLowering } from './riskLower.js';
import type { Turn } from './runtime.js';

const verbs = { act: 'report-action', fu: 'report-followup', close: 'report-close' } as const;
const buttonData = /^r\.(ack|open|act|fu|close|risk)\.(\d{1,9})$/;

export const reportButtonPrefixes = ['r.ack.', 'r.open.', 'r.risk.', ...Object.keys(verbs).map((v) => `r.${v}.`)];

/** The answer to any report button naming a report the presser may not handle, or none at all. */
export function notYours(locale: Locale): Turn {
  const text = reportText(locale, 'notFound');
  return { replies: [message(text)], toast: text };
}

export async function handleReportButton(ctx: ActionContext, data: string): Promise<Turn> {
  const parsed = buttonData.exec(data);
  if (!parsed) return notYours(ctx.locale);
  const verb = parsed[1] as 'ack' | 'open' | 'risk' | keyof typeof verbs;
  const reportId = Number(parsed[2]);
  const r = await reportForHandler(ctx.tx, ctx.actor, reportId, { channel: ctx.channel, lock: verb === 'ack' });
  if (!r) return notYours(ctx.locale);
  const hctx = { tx: ctx.tx, actor: ctx.actor, channel: ctx.channel, now: ctx.now, config: ctx.config };
  if (verb === 'open') {
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'report.read', reportId, childId: r.childId, at: ctx.now });
    return { replies: [await reportCard(ctx.tx, ctx.locale, r, ctx.config.TZ_NAME)] };
  }
  if (verb === 'ack') {
    if (!(await acknowledge(hctx, r))) {
      const text = await alreadyHandled(ctx.tx, ctx.locale, r, ctx.config.TZ_NAME);
      return { replies: [message(text)], toast: text };
    }
    const done = reportText(ctx.locale, 'acked.self', { ref: r.ref });
    return { replies: [await reportCard(ctx.tx, ctx.locale, { ...r, status: 'acknowledged' }, ctx.config.TZ_NAME, done)], toast: reportText(ctx.locale, 'acked.toast') };
  }
  // A child's level may be lowered after the report is closed too: that is when it usually is.
  if (verb === 'risk') return r.childId === null ? notYours(ctx.locale) : startLowering(ctx, r.childId, r.id);
  if (r.status === 'closed') return { replies: [message(await alreadyHandled(ctx.tx, ctx.locale, r, ctx.config.TZ_NAME))] };
  if (verb === 'fu' && r.childId === null) return { replies: [message(reportText(ctx.locale, 'flow.followUpNoChild'))] };
  return ctx.runtime.start(ctx, verbs[verb], { report: r.id });
}

/** The handling buttons a report offers in its current status. */
export function handlingButtons(locale: Locale, r: Pick<ReportInfo, 'id' | 'status' | 'childId'>): Button[][] {
  const b = (key: Parameters<typeof reportText>[1], verb: string) => ({ label: reportText(locale, key), data: `r.${verb}.${r.id}` });
  const lower = r.childId === null ? [] : [[{ label: riskText(locale, 'button.lower'), data: `r.risk.${r.id}` }]];
  if (r.status === 'closed') return lower;
  const rows: Button[][] = [];
  if (r.status !== 'acknowledged') rows.push([b('button.ack', 'ack')]);
  rows.push(r.childId === null ? [b('button.act', 'act')] : [b('button.act', 'act'), b('button.followUp', 'fu')]);
  rows.push([b('button.close', 'close')], ...lower);
  return rows;
}

/** The report's card for a handler: the alert's facts, what was observed, the handling so far, and what to do next. */
export async function reportCard(conn: Conn, locale: Locale, r: ReportInfo, tz: string, lead?: string): Promise<OutMessage> {
  const text: Span[] = [];
  if (lead) text.push(plain(`${lead}\n\n`));
  text.push(bold(reportText(locale, 'details.title', { ref: r.ref })), ...reportFacts(locale, r, tz));
  text.push(plain(`\n${reportText(locale, 'details.observed', { text: r.observed || '—' })}`));
  const lines = (await reportHistory(conn, r.id)).map((e) => historyLine(locale, e, tz)).filter((l): l is string => l !== undefined);
  if (lines.length) text.push(plain(`\n${reportText(locale, 'details.history')}`), ...lines.map((l) => plain(`\n• ${l}`)));
  return message(text, handlingButtons(locale, r));
}

function historyLine(locale: Locale, e: ReportEvent, tz: string): string | undefined {
  const time = formatInstant(e.at, tz, locale);
  const name = e.staffName ?? '—';
  const d = e.detail ?? {};
  const note = typeof d.note === 'string' && d.note ? `（${d.note}）` : '';
  switch (e.kind) {
    case 'acknowledged':
      return reportText(locale, 'event.acknowledged', { time, name });
    case 'action':
      return reportText(locale, 'event.action', { time, name, action: reportText(locale, `action.${String(d.action)}` as 'action.other') + note });
    case 'followup':
      return reportText(locale, 'event.followup', { time, name, due: formatDay(String(d.dueOn), locale, String(d.dueOn)) });
    case 'closed':
      return reportText(locale, 'event.closed', { time, name, outcome: reportText(locale, `outcome.${String(d.outcome)}` as 'outcome.other') + note });
    case 'escalated':
      return reportText(locale, 'event.escalated', { time, level: Number(d.level ?? 0) });
    case 'risk_lowered':
      return reportText(locale, 'event.riskLowered', { time, name, from: nameOf(riskNames, locale, String(d.from)), to: nameOf(riskNames, locale, String(d.to)), reason: String(d.reason ?? '') });
    default:
      return undefined;
  }
}

/** Registers the report buttons on the core: `registerReportButtons(core)` in the composition root. */
export function registerReportButtons(core: { onAction(prefix: string, handler: (ctx: ActionContext, data: string) => Promise<Turn>): void }): void {
  for (const prefix of reportButtonPrefixes) core.onAction(prefix, handleReportButton);
  // Risk follows the report, and is lowered from the child's file as from the report's card.
  registerRiskButtons(core);
}
