// A report's progress after filing: each step (受理, 处置, 回访, 结案) is a row in the report's history and in
// the audit log, written in the handler's transaction together with what it tells people. The reporter hears that
// their report was received, acted on and closed — never by whom, nor who else knows of it.
import { and, desc, eq } from 'drizzle-orm';
import { plain } from '../bot/message.js';
import type { Actor } from '../db/actor.js';
import { audit } from '../db/audit.js';
import type { Conn } from '../db/client.js';
import { enqueue } from '../db/outbox.js';
import { reachableIdentities } from '../db/recipients.js';
import { handlersAlerted, type ReportInfo } from '../db/reports.js';
import { reportEvents, reports, staff } from '../db/schema.js';
import { reportText, type ReportTextKey } from '../i18n/sections/reports.js';
import { resolveLocale, type Locale } from '../i18n/translator.js';
import { formatInstant } from '../scheduler/text.js';

export interface HandlingContext {
  tx: Conn;
  actor: Actor;
  channel: string;
  now: Date;
  config: { DEFAULT_LOCALE: Locale; TZ_NAME: string };
}

/** One step of the report's history, mirrored in the audit log. Returns the history row's id. */
export async function recordStep(
  ctx: HandlingContext,
  r: Pick<ReportInfo, 'id' | 'childId'>,
  kind: string,
  detail?: Record<string, unknown>,
): Promise<number> {
  const [row] = await ctx.tx
    .insert(reportEvents)
    .values({ reportId: r.id, kind, staffId: ctx.actor.staffId, ...(detail ? { detail } : {}), at: ctx.now })
    .returning({ id: reportEvents.id });
  await audit(ctx.tx, {
    actorStaffId: ctx.actor.staffId,
    channel: ctx.channel,
    action: `report.${kind}`,
    reportId: r.id,
    childId: r.childId,
    ...(detail ? { detail } : {}),
    at: ctx.now,
  });
  return row!.id;
}

/**
 * Acknowledges a report not yet acknowledged (a handler who records an action or closes it has obviously received
 * it): the escalation ladder stops, and everyone alerted so far and the reporter hear of it. False when it already was.
 */
export async function acknowledge(ctx: HandlingContext, r: ReportInfo): Promise<boolean> {
  if (r.status === 'acknowledged' || r.status === 'closed') return false;
  await ctx.tx.update(reports).set({ status: 'acknowledged', acknowledgedBy: ctx.actor.staffId, acknowledgedAt: ctx.now }).where(eq(reports.id, r.id));
  await recordStep(ctx, r, 'acknowledged');
  const others = (await handlersAlerted(ctx.tx, r)).filter((id) => id !== ctx.actor.staffId && id !== r.reporterStaffId);
  await tell(ctx, others, `report:${r.id}:acked`, true, (locale, time) => reportText(locale, 'acked.others', { ref: r.ref, name: ctx.actor.name, time }));
  await tellReporter(ctx, r, 'acked', true, (locale, time) => reportText(locale, 'tell.acked', { ref: r.ref, time }));
  return true;
}

/** Tells the reporter (unless they are the one acting) of a step, without saying who took it. */
export async function tellReporter(
  ctx: HandlingContext,
  r: Pick<ReportInfo, 'id' | 'reporterStaffId'>,
  step: string,
  urgent: boolean,
  text: (locale: Locale, time: string) => string,
): Promise<void> {
  if (r.reporterStaffId === ctx.actor.staffId) return;
  await tell(ctx, [r.reporterStaffId], `report:${r.id}:${step}`, urgent, text);
}

/** Queues a short notice to each of these staff members' accounts, in their language and time zone. */
export async function tell(
  ctx: HandlingContext,
  staffIds: number[],
  key: string,
  urgent: boolean,
  text: (locale: Locale, time: string) => string,
): Promise<void> {
  const identities = await reachableIdentities(ctx.tx, staffIds);
  await enqueue(
    ctx.tx,
    identities.map((who) => {
      const locale = resolveLocale(who.locale, ctx.config.DEFAULT_LOCALE);
      return {
        kind: 'report.progress',
        staffId: who.staffId,
        channel: who.channel,
        chatId: who.chatId,
        message: { text: [plain(text(locale, formatInstant(ctx.now, ctx.config.TZ_NAME, locale)))] },
        dedupeKey: `${key}:${who.channel}:${who.chatId}`,
        urgent,
        notBefore: ctx.now,
      };
    }),
  );
}

/** "Already acknowledged / closed by whom, when": for a second press, and for the loser of two closing at once. */
export async function alreadyHandled(conn: Conn, locale: Locale, r: ReportInfo, tz: string): Promise<string> {
  const key: ReportTextKey = r.status === 'closed' ? 'already.closed' : 'already.acked';
  const kind = r.status === 'closed' ? 'closed' : 'acknowledged';
  const [last] = await conn
    .select({ name: staff.name, at: reportEvents.at })
    .from(reportEvents)
    .leftJoin(staff, eq(staff.id, reportEvents.staffId))
    .where(and(eq(reportEvents.reportId, r.id), eq(reportEvents.kind, kind)))
    .orderBy(desc(reportEvents.id))
    .limit(1);
  const name = last?.name ?? r.acknowledgedByName ?? '—';
  const at = last?.at ?? r.acknowledgedAt;
  return reportText(locale, key, { ref: r.ref, name, time: at ? formatInstant(at, tz, locale) : '—' });
}
