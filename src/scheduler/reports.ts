// Mandatory reports after filing: the minutely escalation of unacknowledged reports up the area tree, and the
// "acknowledge" / "open" buttons of the alerts. Only handlers — supervisors of the report's area or above, and
// admins — may press them; the reporter's name is shown to handlers only.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { OutMessage, Span } from '../bot/message.js';
import { bold, plain } from '../bot/message.js';
import type { Outcome } from '../bot/outcome.js';
import type { Config } from '../config.js';
import type { Actor } from '../db/actor.js';
import { audit } from '../db/audit.js';
import type { Conn, Db } from '../db/client.js';
import { enqueue, type OutboxMessage } from '../db/outbox.js';
import { reachableIdentities, supervisorsFor, type Recipient } from '../db/recipients.js';
import { areas, children, reportEvents, reports, staff, type ReportStatus } from '../db/schema.js';
import { alertReportHandlers } from '../flows/reportAlert.js';
import type { ActionContext } from './snooze.js';
import { formatInstant, pickLocale, t, type Locale } from './text.js';

export interface ReportInfo {
  id: number;
  ref: string;
  areaCode: string;
  areaName: string;
  areaPath: string;
  childName: string | null;
  childDescription: string | null;
  situations: string[];
  observed: string;
  occurredWhen: string;
  occurredWhere: string;
  immediateDanger: boolean;
  policeTold: boolean;
  policeReceipt: string | null;
  reporterStaffId: number;
  reporterName: string;
  status: ReportStatus;
  escalationLevel: number;
  lastEscalatedAt: Date | null;
  acknowledgedBy: number | null;
  acknowledgedByName: string | null;
  acknowledgedAt: Date | null;
  createdAt: Date;
}

const acker = alias(staff, 'acker');

export async function loadReport(conn: Conn, id: number, lock = false): Promise<ReportInfo | undefined> {
  if (lock) await conn.select({ id: reports.id }).from(reports).where(eq(reports.id, id)).for('update');
  const [r] = await conn
    .select({
      id: reports.id,
      ref: reports.ref,
      areaCode: reports.areaCode,
      areaName: areas.name,
      areaPath: areas.path,
      childName: children.name,
      childDescription: reports.childDescription,
      situations: reports.situations,
      observed: reports.observed,
      occurredWhen: reports.occurredWhen,
      occurredWhere: reports.occurredWhere,
      immediateDanger: reports.immediateDanger,
      policeTold: reports.policeTold,
      policeReceipt: reports.policeReceipt,
      reporterStaffId: reports.reporterStaffId,
      reporterName: staff.name,
      status: reports.status,
      escalationLevel: reports.escalationLevel,
      lastEscalatedAt: reports.lastEscalatedAt,
      acknowledgedBy: reports.acknowledgedBy,
      acknowledgedByName: acker.name,
      acknowledgedAt: reports.acknowledgedAt,
      createdAt: reports.createdAt,
    })
    .from(reports)
    .innerJoin(areas, eq(areas.code, reports.areaCode))
    .innerJoin(staff, eq(staff.id, reports.reporterStaffId))
    .leftJoin(children, eq(children.id, reports.childId))
    .leftJoin(acker, eq(acker.id, reports.acknowledgedBy))
    .where(eq(reports.id, id));
  return r;
}

function childLabel(r: ReportInfo, locale: Locale): string {
  return r.childName ?? t(locale, 'report.childUnknown', { text: r.childDescription ?? '—' });
}

/** The alert handlers receive: at filing (the report flow), and on each escalation with a line saying why. */
export function renderReportAlert(locale: Locale, r: ReportInfo, tz: string, note?: string): OutMessage {
  const lines: Span[] = [bold(t(locale, 'report.alert.title', { ref: r.ref }))];
  if (note) lines.push(plain(`\n${note}`));
  if (r.immediateDanger) lines.push(bold(`\n${t(locale, 'report.alert.danger')}`));
  lines.push(
    plain(`\n${t(locale, 'report.alert.area', { area: r.areaName })}`),
    plain(`\n${t(locale, 'report.alert.child', { child: childLabel(r, locale) })}`),
    plain(`\n${t(locale, 'report.alert.situations', { count: r.situations.length })}`),
    plain(`\n${t(locale, 'report.alert.police', { answer: t(locale, r.policeTold ? 'yes' : 'no') })}`),
    plain(`\n${t(locale, 'report.alert.filed', { time: formatInstant(r.createdAt, tz, locale) })}`),
    plain(`\n${t(locale, 'report.alert.ask')}`),
  );
  return {
    text: lines,
    buttons: [
      [
        { label: t(locale, 'report.ack'), data: `r.ack.${r.id}` },
        { label: t(locale, 'report.open'), data: `r.open.${r.id}` },
      ],
    ],
  };
}

export async function alertMessages(
  conn: Conn,
  r: ReportInfo,
  recipients: Recipient[],
  config: Config,
  keyPart: string,
  note: (locale: Locale) => string | undefined,
  now: Date,
): Promise<OutboxMessage[]> {
  const identities = await reachableIdentities(conn, recipients.map((p) => p.staffId));
  return identities.map((who) => {
    const locale = pickLocale(who.locale, config.DEFAULT_LOCALE);
    return {
      kind: 'report.alert',
      staffId: who.staffId,
      channel: who.channel,
      chatId: who.chatId,
      message: renderReportAlert(locale, r, config.TZ_NAME, note(locale)),
      dedupeKey: `report:${r.id}:${keyPart}:${who.channel}:${who.chatId}`,
      urgent: true,
      notBefore: now,
    };
  });
}

/** Reports nobody has acknowledged yet: an urgent one still being filled in climbs the tree like a filed one. */
const awaitingAck: ReportStatus[] = ['draft', 'open'];

/**
 * Moves each report left unacknowledged for REPORT_ACK_MINUTES one level up the tree and alerts that level;
 * at the top (the admins) it alerts them again each period, until someone acknowledges.
 */
export async function escalateReports(db: Db, config: Config, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - config.REPORT_ACK_MINUTES * 60_000);
  const due = sql`coalesce(${reports.lastEscalatedAt}, ${reports.createdAt}) <= ${cutoff.toISOString()}::timestamptz`;
  const candidates = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(inArray(reports.status, awaitingAck), due))
    .limit(500);
  let escalated = 0;
  for (const { id } of candidates) {
    const done = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ id: reports.id })
        .from(reports)
        .where(and(eq(reports.id, id), inArray(reports.status, awaitingAck), due))
        .for('update', { skipLocked: true });
      if (!locked) return false;
      const r = (await loadReport(tx, id))!;
      let level = r.escalationLevel + 1;
      let recipients = await supervisorsFor(tx, r.areaCode, level);
      const repeat = recipients.length === 0;
      if (repeat) {
        level = r.escalationLevel;
        recipients = await supervisorsFor(tx, r.areaCode, level);
      }
      await tx.update(reports).set({ escalationLevel: level, lastEscalatedAt: now }).where(eq(reports.id, id));
      await audit(tx, { actorStaffId: null, channel: null, action: 'report.escalate', reportId: id, detail: { level, repeat }, at: now });
      if (!repeat) {
        // The same alert the report flow sends at filing, titled as an escalation; it records the history row.
        await alertReportHandlers(tx, id, r.areaCode, level, now, pickLocale(null, config.DEFAULT_LOCALE));
        return true;
      }
      // Nobody above the admins: they are alerted again, saying how long the report has waited.
      await tx.insert(reportEvents).values({
        reportId: id,
        kind: 'escalated',
        detail: { level, repeat, staffIds: recipients.map((p) => p.staffId) },
        at: now,
      });
      const minutes = Math.round((now.getTime() - r.createdAt.getTime()) / 60_000);
      const messages = await alertMessages(
        tx,
        r,
        recipients,
        config,
        `repeat:${now.getTime()}`,
        (locale) => t(locale, 'report.alert.repeat', { minutes }),
        now,
      );
      await enqueue(tx, messages);
      return true;
    });
    if (done) escalated++;
  }
  return escalated;
}

const reportData = z
  .string()
  .regex(/^r\.(ack|open)\.\d{1,9}$/)
  .transform((s) => {
    const [, verb, id] = s.split('.');
    return { verb: verb as 'ack' | 'open', reportId: Number(id) };
  });

export function isHandler(actor: Actor, r: Pick<ReportInfo, 'areaPath'>): boolean {
  return actor.role === 'admin' || (actor.role === 'supervisor' && r.areaPath.startsWith(actor.areaPath));
}

function reply(text: string, locale: Locale, toast?: string): Outcome {
  return { replies: [{ text: [plain(text)] }], locale, ...(toast ? { toast } : {}) };
}

/** `r.ack.<id>` and `r.open.<id>`: run inside the core's transaction for the button press. */
export async function handleReportAction(conn: Conn, actor: Actor, data: string, ctx: ActionContext): Promise<Outcome> {
  const locale = pickLocale(actor.locale, ctx.defaultLocale);
  const parsed = reportData.safeParse(data);
  if (!parsed.success) return { replies: [], toast: t(locale, 'button.stale'), locale };
  const { verb, reportId } = parsed.data;
  const r = await loadReport(conn, reportId, verb === 'ack');
  if (!r) return reply(t(locale, 'report.notFound'), locale);
  if (!isHandler(actor, r)) {
    await audit(conn, { actorStaffId: actor.staffId, channel: ctx.channel ?? null, action: 'report.denied', reportId, at: ctx.now });
    return reply(t(locale, 'report.notHandler'), locale, t(locale, 'report.notHandler'));
  }
  if (verb === 'open') {
    await audit(conn, { actorStaffId: actor.staffId, channel: ctx.channel ?? null, action: 'report.read', reportId, at: ctx.now });
    return { replies: [renderReportDetails(locale, r, ctx.tz)], locale };
  }
  if (!awaitingAck.includes(r.status)) {
    const text = t(locale, 'report.already', {
      ref: r.ref,
      name: r.acknowledgedByName ?? '—',
      time: r.acknowledgedAt ? formatInstant(r.acknowledgedAt, ctx.tz, locale) : '—',
    });
    return reply(text, locale, text);
  }
  await conn
    .update(reports)
    .set({ status: 'acknowledged', acknowledgedBy: actor.staffId, acknowledgedAt: ctx.now })
    .where(eq(reports.id, reportId));
  await conn.insert(reportEvents).values({ reportId, kind: 'acknowledged', staffId: actor.staffId, at: ctx.now });
  await audit(conn, { actorStaffId: actor.staffId, channel: ctx.channel ?? null, action: 'report.ack', reportId, at: ctx.now });
  await enqueue(conn, await acknowledgementNotices(conn, r, actor, ctx));
  return reply(t(locale, 'report.acked.self', { ref: r.ref }), locale, t(locale, 'report.acked.toast'));
}

/** Everyone alerted so far hears who took it; the reporter hears that it was taken, not by whom. */
async function acknowledgementNotices(conn: Conn, r: ReportInfo, actor: Actor, ctx: ActionContext): Promise<OutboxMessage[]> {
  const handlerIds = new Set<number>();
  for (let level = 0; level <= r.escalationLevel; level++) {
    for (const p of await supervisorsFor(conn, r.areaCode, level)) handlerIds.add(p.staffId);
  }
  handlerIds.delete(actor.staffId);
  const reporterId = r.reporterStaffId === actor.staffId ? null : r.reporterStaffId;
  if (reporterId !== null) handlerIds.delete(reporterId);
  const ids = [...handlerIds, ...(reporterId !== null ? [reporterId] : [])];
  const identities = await reachableIdentities(conn, ids);
  return identities.map((who) => {
    const locale = pickLocale(who.locale, ctx.defaultLocale);
    const time = formatInstant(ctx.now, ctx.tz, locale);
    const text =
      who.staffId === reporterId
        ? t(locale, 'report.acked.reporter', { ref: r.ref, time })
        : t(locale, 'report.acked.others', { ref: r.ref, name: actor.name, time });
    return {
      kind: 'report.ack',
      staffId: who.staffId,
      channel: who.channel,
      chatId: who.chatId,
      message: { text: [plain(text)] },
      dedupeKey: `report:${r.id}:acked:${who.channel}:${who.chatId}`,
      urgent: true,
      notBefore: ctx.now,
    };
  });
}

export function renderReportDetails(locale: Locale, r: ReportInfo, tz: string): OutMessage {
  const lines: Span[] = [bold(t(locale, 'report.details.title', { ref: r.ref }))];
  const add = (s: string) => lines.push(plain(`\n${s}`));
  add(t(locale, 'report.details.status', { status: t(locale, `report.status.${r.status}`) }));
  if (r.immediateDanger) add(t(locale, 'report.alert.danger'));
  add(t(locale, 'report.alert.area', { area: r.areaName }));
  add(t(locale, 'report.alert.child', { child: childLabel(r, locale) }));
  add(t(locale, 'report.details.observed', { text: r.observed }));
  add(t(locale, 'report.details.when', { text: r.occurredWhen }));
  add(t(locale, 'report.details.where', { text: r.occurredWhere }));
  add(t(locale, 'report.alert.police', { answer: t(locale, r.policeTold ? 'yes' : 'no') }));
  if (r.policeReceipt) add(t(locale, 'report.details.receipt', { text: r.policeReceipt }));
  add(t(locale, 'report.details.reporter', { name: r.reporterName }));
  add(t(locale, 'report.alert.filed', { time: formatInstant(r.createdAt, tz, locale) }));
  if (r.acknowledgedAt) {
    add(t(locale, 'report.details.acked', { name: r.acknowledgedByName ?? '—', time: formatInstant(r.acknowledgedAt, tz, locale) }));
  }
  return awaitingAck.includes(r.status) ? { text: lines, buttons: [[{ label: t(locale, 'report.ack'), data: `r.ack.${r.id}` }]] } : { text: lines };
}
