// Supervisors' (and admins') daily digest of their area subtree, in their language, with its charts
// (src/scheduler/digestChart.ts): visits due by caseworker, visits per week, open reports by age.
import type { OutImage, OutMessage, Span } from '../bot/message.js';
import { bold, plain } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { OutboxMessage } from '../db/outbox.js';
import type { Logger } from '../logger.js';
import { enqueueMany } from './bulkOutbox.js';
import { reachableIdentities } from '../db/recipients.js';
import { REPORT_AGES, reportAgeBucket } from './reportAges.js';
import { INACTIVE_DAYS, loadDigestSnapshot, type DigestSnapshot, type Escalated, type RiskRise } from './digestData.js';
import { chunks, compare } from './reminders.js';
import { formatDay, pickLocale, t, type Locale } from './text.js';
import { addDays, daysBetween, endOfDay, localDate, zonedInstant } from './time.js';

export interface Tally {
  label: string;
  overdue: number;
  dueToday: number;
}

export interface DigestSummary {
  areaName: string;
  date: string;
  visitsYesterday: number;
  overdue: number;
  dueToday: number;
  unassigned: number;
  byCaseworker: Tally[];
  byVillage: Tally[];
  riskRises: (RiskRise & { village: string })[];
  newReports: number;
  openReports: string[];
  escalated: (Escalated & { village: string })[];
  inactive: string[];
  dead?: { count: number; kinds: string[] };
  /** The last 8 weeks' visits in the subtree, oldest first, each week by its Monday. */
  weeks: { monday: string; visits: number }[];
  /** Unclosed reports counted per age bar (chart.ts REPORT_AGES). */
  openReportsByAge: number[];
}

const TOP = 5;

const byWorst = (a: Tally, b: Tally) => b.overdue - a.overdue || b.dueToday - a.dueToday || compare(a.label, b.label);

/** One recipient's view: only areas under `prefix` (a supervisor's area path; `/` for an admin). */
export function summarise(
  snap: DigestSnapshot,
  who: { role: 'supervisor' | 'admin'; areaCode: string },
): DigestSummary | undefined {
  const home = snap.areas.get(who.areaCode);
  if (!home) return undefined;
  const prefix = who.role === 'admin' ? '/' : home.path;
  // Supervised areas strictly below the recipient's own: an escalation at level k reaches the recipient when
  // exactly k of them lie between the child and the recipient (supervisorsFor counts levels the same way).
  const deeper = snap.supervisedPaths.filter((p) => p.startsWith(prefix) && p.length > prefix.length);
  const s: DigestSummary = {
    areaName: home.name,
    date: snap.today,
    visitsYesterday: 0,
    overdue: 0,
    dueToday: 0,
    unassigned: 0,
    byCaseworker: [],
    byVillage: [],
    riskRises: [],
    newReports: 0,
    openReports: [],
    escalated: [],
    inactive: [],
    weeks: snap.weeks.map((monday) => ({ monday, visits: 0 })),
    openReportsByAge: REPORT_AGES.map(() => 0),
  };
  const perStaff = new Map<number, Tally>();
  for (const area of snap.areas.values()) {
    if (!area.path.startsWith(prefix)) continue;
    s.visitsYesterday += snap.visitsYesterday.get(area.code) ?? 0;
    (snap.visitsByWeek.get(area.code) ?? []).forEach((n, i) => (s.weeks[i]!.visits += n));
    const cells = snap.due.get(area.code) ?? [];
    const village: Tally = { label: area.name, overdue: 0, dueToday: 0 };
    for (const cell of cells) {
      village.overdue += cell.overdue;
      village.dueToday += cell.dueToday;
      if (cell.staffId === null) {
        s.unassigned += cell.overdue + cell.dueToday;
        continue;
      }
      const tally = perStaff.get(cell.staffId) ?? { label: cell.staffName ?? '', overdue: 0, dueToday: 0 };
      tally.overdue += cell.overdue;
      tally.dueToday += cell.dueToday;
      perStaff.set(cell.staffId, tally);
    }
    if (village.overdue + village.dueToday > 0) s.byVillage.push(village);
    s.overdue += village.overdue;
    s.dueToday += village.dueToday;
    for (const r of snap.riskRises.get(area.code) ?? []) s.riskRises.push({ ...r, village: area.name });
    for (const r of snap.reports.get(area.code) ?? []) {
      if (r.newYesterday) s.newReports++;
      if (r.open) s.openReports.push(r.ref);
      if (r.unclosed) s.openReportsByAge[reportAgeBucket(r.ageDays)]!++;
    }
    const levelHere = deeper.filter((p) => area.path.startsWith(p)).length;
    for (const e of snap.escalations.get(area.code) ?? []) {
      if (e.level === levelHere) s.escalated.push({ ...e, village: area.name });
    }
    for (const i of snap.inactive.get(area.code) ?? []) s.inactive.push(i.name);
  }
  s.byCaseworker = [...perStaff.values()].sort(byWorst);
  s.byVillage.sort(byWorst);
  s.escalated.sort((a, b) => compare(a.due, b.due) || a.childId - b.childId);
  s.openReports.sort();
  s.inactive.sort();
  if (who.role === 'admin') s.dead = snap.dead;
  return s;
}

function more(locale: Locale, total: number, shown: number): Span[] {
  return total > shown ? [plain(`\n  ${t(locale, 'digest.more', { count: total - shown })}`)] : [];
}

export function renderDigest(locale: Locale, s: DigestSummary, config: Pick<Config, 'ESCALATE_OVERDUE_DAYS'>): OutMessage {
  const out: Span[] = [bold(t(locale, 'digest.title', { area: s.areaName, date: formatDay(s.date, locale, s.date) }))];
  const line = (text: string) => out.push(plain(`\n${text}`));
  line(t(locale, 'digest.headline', { visits: s.visitsYesterday, due: s.dueToday, overdue: s.overdue }));
  if (s.overdue + s.dueToday === 0) line(t(locale, 'digest.allClear'));
  if (s.unassigned > 0) line(t(locale, 'digest.unassigned', { count: s.unassigned }));
  if (s.byCaseworker.length > 0) {
    line('');
    line(t(locale, 'digest.byCaseworker'));
    s.byCaseworker.slice(0, TOP).forEach((c, i) =>
      line(`${i + 1}. ${t(locale, 'digest.line', { label: c.label, overdue: c.overdue, due: c.dueToday })}`),
    );
    out.push(...more(locale, s.byCaseworker.length, TOP));
  }
  if (s.byVillage.length > 1) {
    line(t(locale, 'digest.byVillage'));
    for (const v of s.byVillage.slice(0, TOP)) line(`• ${t(locale, 'digest.line', { label: v.label, overdue: v.overdue, due: v.dueToday })}`);
    out.push(...more(locale, s.byVillage.length, TOP));
  }
  if (s.riskRises.length > 0) {
    line('');
    line(t(locale, 'digest.riskRose'));
    for (const r of s.riskRises.slice(0, TOP)) {
      line(`• ${t(locale, 'digest.riskLine', { name: r.name, village: r.village, from: t(locale, `risk.${r.from}`), to: t(locale, `risk.${r.to}`) })}`);
    }
    out.push(...more(locale, s.riskRises.length, TOP));
  }
  if (s.newReports + s.openReports.length > 0) {
    line('');
    line(t(locale, 'digest.reports', { new: s.newReports, open: s.openReports.length }) + (s.openReports.length > 0 ? (locale === 'en' ? ` (${s.openReports.slice(0, 3).join(', ')})` : `（${s.openReports.slice(0, 3).join('、')}）`) : ''));
  }
  if (s.escalated.length > 0) {
    line('');
    line(t(locale, 'digest.escalated', { days: config.ESCALATE_OVERDUE_DAYS }));
    for (const e of s.escalated.slice(0, TOP)) {
      line(
        `• ${t(locale, 'digest.escalatedLine', {
          name: e.name,
          village: e.village,
          caseworker: e.caseworker ?? t(locale, 'digest.nobody'),
          overdue: daysBetween(e.due, s.date),
        })}`,
      );
    }
    out.push(...more(locale, s.escalated.length, TOP));
  }
  if (s.inactive.length > 0) {
    const names = s.inactive.slice(0, 10).join(locale === 'en' ? ', ' : '、') + (s.inactive.length > 10 ? '…' : '');
    line(t(locale, 'digest.inactive', { days: INACTIVE_DAYS, names }));
  }
  if (s.dead && s.dead.count > 0) line(t(locale, 'digest.dead', { count: s.dead.count, last: s.dead.kinds.join(', ') }));
  return { text: out };
}

export interface DigestRun {
  day: string;
  recipients: number;
  messages: number;
}

/**
 * Builds every digest of the day and queues them; each (recipient, account, day) at most once. Each recipient's
 * picture is drawn once per language, on the thread pool, two at a time (the machine's other work goes on).
 */
export async function queueDigests(db: Db, config: Config, now: Date, logger?: Logger): Promise<DigestRun> {
  const tz = config.TZ_NAME;
  const today = localDate(now, tz);
  const yesterday = addDays(today, -1);
  const snap = await loadDigestSnapshot(db, {
    today,
    yesterday,
    yesterdayStart: zonedInstant(yesterday, 0, tz),
    todayStart: zonedInstant(today, 0, tz),
    now,
  });
  const byStaff = new Map(snap.recipients.map((r) => [r.staffId, r]));
  const messages: OutboxMessage[] = [];
  const expiresAt = endOfDay(today, tz);
  const summaries = new Map<number, DigestSummary | undefined>();
  // ECharts is loaded when a digest is drawn, not at start-up.
  const painter = config.DIGEST_CHARTS ? new (await import('./digestChart.js')).DigestPainter(config.CHART_FONT, logger) : undefined;
  const drafts: { message: OutboxMessage; image?: Promise<OutImage | undefined> }[] = [];
  for (const ids of chunks([...byStaff.keys()], 5000)) {
    for (const who of await reachableIdentities(db, ids)) {
      const r = byStaff.get(who.staffId)!;
      if (!summaries.has(r.staffId)) summaries.set(r.staffId, summarise(snap, r));
      const summary = summaries.get(r.staffId);
      if (!summary) continue;
      const locale = pickLocale(who.locale, config.DEFAULT_LOCALE);
      drafts.push({
        message: {
          kind: 'digest',
          staffId: who.staffId,
          channel: who.channel,
          chatId: who.chatId,
          message: renderDigest(locale, summary, config),
          dedupeKey: `digest:${who.staffId}:${today}:${who.channel}:${who.chatId}`,
          expiresAt,
          notBefore: now,
        },
        image: painter?.picture(r.staffId, summary, locale),
      });
    }
  }
  for (const draft of drafts) {
    const image = await draft.image;
    messages.push(image ? { ...draft.message, message: { ...draft.message.message, image } } : draft.message);
  }
  for (const part of chunks(messages, 500)) await enqueueMany(db, part);
  return { day: today, recipients: summaries.size, messages: messages.length };
}
