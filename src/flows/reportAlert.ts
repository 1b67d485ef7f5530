// The alert a mandatory report sends its handlers: written to the outbox (urgent: it goes out even in quiet
// hours) in the same transaction as the report or its escalation. Used by the report flow and the scheduler.
import { eq } from 'drizzle-orm';
import { bold, message, rich, type OutMessage } from '../bot/message.js';
import type { Conn } from '../db/client.js';
import { enqueue } from '../db/outbox.js';
import { reachableIdentities, supervisorsFor, type Recipient } from '../db/recipients.js';
import { areas, children, reportEvents, reports, staff } from '../db/schema.js';
import { nameOf, situationShortNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { reportFilingText, type ReportFilingKey } from '../i18n/sections/reportFiling.js';
import { resolveLocale, type Locale } from '../i18n/translator.js';

/** Why an alert is sent: the first alert of a filed report, the preliminary one, or the full report following it. */
export type AlertStage = 'first' | 'preliminary' | 'followUp';

export async function reportAlertMessage(conn: Conn, reportId: number, locale: Locale, level: number, stage: AlertStage = 'first'): Promise<OutMessage> {
  const [r] = await conn
    .select({ report: reports, childName: children.name, areaName: areas.name, reporter: staff.name })
    .from(reports)
    .leftJoin(children, eq(children.id, reports.childId))
    .innerJoin(areas, eq(areas.code, reports.areaCode))
    .innerJoin(staff, eq(staff.id, reports.reporterStaffId))
    .where(eq(reports.id, reportId));
  if (!r) throw new Error(`report ${reportId} not found`);
  const t = (key: Parameters<typeof flowText>[1], params?: Record<string, string | number>) => flowText(locale, key, params);
  const who = r.childName ?? t('report.alertUnknownChild', { text: r.report.childDescription ?? '' });
  const buttons = [[{ label: t('report.ack'), data: `r.ack.${reportId}` }, { label: t('report.open'), data: `r.open.${reportId}` }]];
  if (r.report.status === 'draft') {
    // Immediate danger is known, the form is not finished: what is known so far, so nobody waits for the rest.
    const p = (key: ReportFilingKey, params?: Record<string, string | number>) => reportFilingText(locale, key, params);
    const child = r.report.childId !== null || r.report.childDescription ? t('report.alertChild', { child: who, area: r.areaName }) : p('preliminary.childUnknownYet', { area: r.areaName });
    return message(
      rich(
        bold(p('preliminary.title', { ref: r.report.ref })),
        level > 0 ? rich('\n', t('report.alertEscalatedTitle', { ref: r.report.ref, level })) : [],
        '\n', t('report.alertDanger'), '\n', p('preliminary.body'),
        '\n', child,
        r.report.occurredWhere ? rich('\n', p('preliminary.where', { where: r.report.occurredWhere })) : [],
        '\n', t('report.alertReporter', { name: r.reporter }),
      ),
      buttons,
    );
  }
  return message(
    rich(
      bold(level === 0 ? t('report.alertTitle', { ref: r.report.ref }) : t('report.alertEscalatedTitle', { ref: r.report.ref, level })),
      stage === 'followUp' ? rich('\n', reportFilingText(locale, 'followUp.line', { ref: r.report.ref })) : [],
      '\n', t('report.alertChild', { child: who, area: r.areaName }),
      '\n', r.report.situations.map((s) => nameOf(situationShortNames, locale, s)).join('、'),
      '\n', t(r.report.immediateDanger ? 'report.alertDanger' : 'report.alertNoDanger'),
      ' · ', t(r.report.policeTold ? 'report.alertPoliceTold' : 'report.alertPoliceNotTold', { receipt: r.report.policeReceipt ?? '' }),
      '\n', t('report.alertReporter', { name: r.reporter }),
    ),
    buttons,
  );
}

/**
 * Alerts the handlers `level` steps up the area tree (0: the area's own supervisors) and records it in the report's
 * history. Returns who was alerted (by name), for telling the reporter.
 */
export async function alertReportHandlers(
  conn: Conn,
  reportId: number,
  areaCode: string,
  level: number,
  now: Date,
  defaultLocale: Locale,
  stage: AlertStage = 'first',
): Promise<Recipient[]> {
  const handlers = await supervisorsFor(conn, areaCode, level);
  const identities = await reachableIdentities(conn, handlers.map((h) => h.staffId));
  const rendered = new Map<Locale, OutMessage>();
  const rows = [];
  for (const identity of identities) {
    const locale = resolveLocale(identity.locale, defaultLocale);
    if (!rendered.has(locale)) rendered.set(locale, await reportAlertMessage(conn, reportId, locale, level, stage));
    rows.push({
      kind: 'report.alert',
      staffId: identity.staffId,
      channel: identity.channel,
      chatId: identity.chatId,
      message: rendered.get(locale)!,
      urgent: true,
      dedupeKey: `report:${reportId}:${stage === 'first' ? level : `${stage}:${level}`}:${identity.channel}:${identity.chatId}`,
      notBefore: now,
    });
  }
  await enqueue(conn, rows);
  await conn.insert(reportEvents).values({
    reportId,
    kind: level === 0 ? 'alerted' : 'escalated',
    detail: { level, ...(stage === 'first' ? {} : { [stage]: true }), staffIds: handlers.map((h) => h.staffId) },
    at: now,
  });
  return handlers;
}
