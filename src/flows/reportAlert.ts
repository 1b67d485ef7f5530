// The one alert a mandatory report sends its handlers — the preliminary one the moment immediate danger is known
// (报告填写中: the facts known so far), the full report when it is filed, on each escalation up the area tree, when
// the admins are reminded again, and when an acknowledged report stalls. Every recipient gets the same facts, in
// the same order; only the line saying why it is sent (again) differs. Alerts go only to handlers (the area's
// supervisors and those above, and admins), so they name the reporter. Written to the outbox (urgent: it goes
// out even in quiet hours) in the same transaction as the report or its escalation.
import { bold, plain, type OutMessage, type Span } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Conn } from '../db/client.js';
import { enqueue, outboxIdsByKey } from '../db/outbox.js';
import { reachableIdentities, supervisorsFor, type Recipient } from '../db/recipients.js';
import { loadReport, type ReportInfo } from '../db/reports.js';
import { reportEvents } from '../db/schema.js';
import { nameOf, situationShortNames } from '../i18n/domain.js';
import { reportText } from '../i18n/sections/reports.js';
import { resolveLocale, type Locale } from '../i18n/translator.js';
import { formatInstant } from '../scheduler/text.js';

/**
 * Why the alert is sent: danger just known (preliminary), filed (first), the full report following a preliminary
 * alert, escalated a level, repeated at the top, or stalled after acknowledgement.
 */
export type AlertStage =
  | { kind: 'preliminary' }
  | { kind: 'filed' }
  | { kind: 'followUp' }
  | { kind: 'escalated'; level: number }
  | { kind: 'repeat'; minutes: number }
  | { kind: 'stalled'; hours: number };

export function reportChildLabel(locale: Locale, r: Pick<ReportInfo, 'childName' | 'childDescription'>): string {
  return r.childName ?? reportText(locale, 'alert.unknownChild', { text: r.childDescription ?? '—' });
}

/** The facts of a report as every handler sees them: the body of the alert and of the details card. */
export function reportFacts(locale: Locale, r: ReportInfo, tz: string): Span[] {
  const t = (key: Parameters<typeof reportText>[1], params?: Record<string, string | number>) => reportText(locale, key, params);
  const spans: Span[] = [];
  if (r.immediateDanger) spans.push(bold(`\n${t('alert.danger')}`));
  // A report still being filled in shows what is known so far; nothing is left out once it is filed.
  const draft = r.status === 'draft';
  const named = r.childId !== null || r.childDescription !== null;
  const lines = [
    named || !draft ? t('alert.child', { child: reportChildLabel(locale, r), area: r.areaName }) : t('alert.childNotYet', { area: r.areaName }),
    draft && r.situations.length === 0 ? null : t('alert.situations', { names: r.situations.map((s) => nameOf(situationShortNames, locale, s)).join('、') || '—' }),
    draft && !r.occurredWhen && !r.occurredWhere ? null : t('alert.whenWhere', { when: r.occurredWhen || '—', where: r.occurredWhere || '—' }),
    draft ? null : r.policeTold ? t('alert.policeTold', { receipt: r.policeReceipt ?? '' }).trim() : t('alert.policeNotTold'),
    t('alert.status', { status: t(`status.${r.status}`) }),
    t('alert.filed', { time: formatInstant(r.createdAt, tz, locale) }),
    t('alert.reporter', { name: r.reporterName }),
  ];
  spans.push(...lines.filter((line): line is string => line !== null).map((line) => plain(`\n${line}`)));
  return spans;
}

function stageLine(locale: Locale, r: ReportInfo, stage: AlertStage): string | undefined {
  switch (stage.kind) {
    case 'filed':
      return undefined;
    case 'preliminary':
      return reportText(locale, 'alert.preliminary');
    case 'followUp':
      return reportText(locale, 'alert.followUp', { ref: r.ref });
    case 'escalated':
      return reportText(locale, 'alert.escalated', { level: stage.level });
    case 'repeat':
      return reportText(locale, 'alert.repeat', { minutes: stage.minutes });
    case 'stalled':
      return reportText(locale, 'alert.stalled', { hours: stage.hours });
  }
}

export function renderReportAlert(locale: Locale, r: ReportInfo, tz: string, stage: AlertStage): OutMessage {
  const why = stageLine(locale, r, stage);
  const text: Span[] = [bold(reportText(locale, 'alert.title', { ref: r.ref }))];
  if (why) text.push(bold(`\n${why}`));
  text.push(...reportFacts(locale, r, tz));
  const buttons = [
    r.status === 'acknowledged'
      ? [{ label: reportText(locale, 'button.open'), data: `r.open.${r.id}` }]
      : [
          { label: reportText(locale, 'button.ack'), data: `r.ack.${r.id}` },
          { label: reportText(locale, 'button.open'), data: `r.open.${r.id}` },
        ],
  ];
  return { text, buttons };
}

/** Sent once per level: the filed, preliminary, follow-up and escalation alerts; a repeat or a stall, once per run. */
function dedupePart(stage: AlertStage, level: number, now: Date): string {
  switch (stage.kind) {
    case 'filed':
    case 'escalated':
      return String(level);
    case 'preliminary':
    case 'followUp':
      return `${stage.kind}:${level}`;
    case 'repeat':
    case 'stalled':
      return `${stage.kind}:${now.getTime()}`;
  }
}

/**
 * Alerts the handlers `level` steps up the area tree (0: the area's own supervisors) and records it in the report's
 * history. Returns who was alerted (by name), for telling the reporter.
 */
export async function alertReportHandlers(
  conn: Conn,
  reportId: number,
  level: number,
  now: Date,
  config: Pick<Config, 'DEFAULT_LOCALE' | 'TZ_NAME'>,
  stage: AlertStage = level === 0 ? { kind: 'filed' } : { kind: 'escalated', level },
): Promise<Recipient[]> {
  const r = await loadReport(conn, reportId);
  if (!r) throw new Error(`report ${reportId} not found`);
  const handlers = await supervisorsFor(conn, r.areaCode, level);
  const identities = await reachableIdentities(conn, handlers.map((h) => h.staffId));
  const rendered = new Map<Locale, OutMessage>();
  const dedupeKey = (part: string, identity: { channel: string; chatId: string }) => `report:${reportId}:${part}:${identity.channel}:${identity.chatId}`;
  // The full report replaces the preliminary alert in place where the channel can edit it (the sender decides).
  const preliminary = stage.kind === 'followUp' ? await outboxIdsByKey(conn, identities.map((i) => dedupeKey(`preliminary:${level}`, i))) : new Map<string, number>();
  const rows = identities.map((identity) => {
    const locale = resolveLocale(identity.locale, config.DEFAULT_LOCALE);
    if (!rendered.has(locale)) rendered.set(locale, renderReportAlert(locale, r, config.TZ_NAME, stage));
    return {
      kind: 'report.alert',
      staffId: identity.staffId,
      channel: identity.channel,
      chatId: identity.chatId,
      message: rendered.get(locale)!,
      urgent: true,
      dedupeKey: dedupeKey(dedupePart(stage, level, now), identity),
      notBefore: now,
      replacesId: preliminary.get(dedupeKey(`preliminary:${level}`, identity)),
    };
  });
  await enqueue(conn, rows);
  await conn.insert(reportEvents).values({
    reportId,
    kind: level === 0 ? 'alerted' : 'escalated',
    detail: { level, ...(stage.kind === 'filed' || stage.kind === 'escalated' ? {} : { [stage.kind]: true }), staffIds: handlers.map((h) => h.staffId) },
    at: now,
  });
  return handlers;
}
