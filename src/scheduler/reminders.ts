// Caseworkers' daily reminders: one message per caseworker (to each of their accounts) listing the children of
// their current caseload that are overdue or due today. reminder_log admits each child once per day, in the same
// transaction as the outbox rows, so no child is reminded twice a day whatever runs twice. At send time the
// message is rebuilt from the database: a visit logged, a snooze, a reassignment since queueing drops the child.
// Someone who binds an account after the day's run gets theirs at binding, through the same admission and outbox.
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Button, OutMessage } from '../bot/message.js';
import { bold, plain } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Conn, Db } from '../db/client.js';
import type { OutboxMessage } from '../db/outbox.js';
import { reachableIdentities } from '../db/recipients.js';
import { areas, assignments, channelIdentities, children, jobRuns, reminderLog, snoozes, staff, visits } from '../db/schema.js';
import { enqueueMany } from './bulkOutbox.js';
import type { OutboxRow, Prepared } from './sender.js';
import { formatDay, pickLocale, t, type Locale } from './text.js';
import { daysBetween, endOfDay, localDate } from './time.js';

export interface DueChild {
  childId: number;
  name: string;
  village: string;
  due: string;
}

/** Children listed with their own buttons; the rest are counted (a phone screen is small). */
export const REMINDER_BUTTON_LIMIT = 8;

export function renderReminder(locale: Locale, day: string, items: DueChild[]): OutMessage {
  // Plain comparisons: ISO dates order as strings, and ICU collation would dominate the cost at 10,000 messages.
  const sorted = [...items].sort((a, b) => compare(a.due, b.due) || a.childId - b.childId);
  const overdue = sorted.filter((c) => c.due < day).length;
  const lines = [bold(t(locale, 'reminder.title', { date: formatDay(day, locale, day) })), plain('\n')];
  lines.push(plain(t(locale, 'reminder.summary', { overdue, today: sorted.length - overdue })));
  const buttons: Button[][] = [];
  for (const c of sorted.slice(0, REMINDER_BUTTON_LIMIT)) {
    const days = daysBetween(c.due, day);
    const line =
      days > 0
        ? t(locale, 'reminder.overdueLine', { name: c.name, village: c.village, days })
        : t(locale, 'reminder.todayLine', { name: c.name, village: c.village });
    lines.push(plain(`\n• ${line}`));
    buttons.push([
      { label: t(locale, 'reminder.log', { name: c.name }), data: `v.due.${c.childId}` },
      { label: t(locale, 'reminder.snooze1'), data: `rm.snooze.${c.childId}.1` },
      { label: t(locale, 'reminder.snooze3'), data: `rm.snooze.${c.childId}.3` },
    ]);
  }
  if (sorted.length > REMINDER_BUTTON_LIMIT) {
    lines.push(plain(`\n${t(locale, 'reminder.more', { count: sorted.length - REMINDER_BUTTON_LIMIT })}`));
  }
  return { text: lines, buttons };
}

export function reminderKey(staffId: number, day: string, channel: string, chatId: string): string {
  return `reminder:${staffId}:${day}:${channel}:${chatId}`;
}

/** The scheduler's claim on a day's reminders in job_runs (run key: the local date). */
export const REMINDER_JOB = 'reminders';

export interface ReminderRun {
  day: string;
  caseworkers: number;
  children: number;
  messages: number;
}

/** Parallel shares of a run on a real server: one per core of the machine this was measured on (docs/scheduler.md). */
export const REMINDER_SHARES = 2;

/**
 * Queues today's reminders. Safe to run twice: the second run finds every child logged already. On a real server
 * the caseworkers are split into `shares` ranges of staff ids, queued in parallel transactions: a statement that
 * writes runs in one backend, so one share per core keeps both cores busy. PGlite, one connection, takes one.
 */
export async function queueReminders(db: Db, config: Config, now: Date, shares = config.DATABASE_URL ? REMINDER_SHARES : 1): Promise<ReminderRun> {
  const day = localDate(now, config.TZ_NAME);
  const ranges = await caseworkerShares(db, shares);
  const parts = await Promise.all(
    ranges.map((whose) =>
      db.transaction(async (tx) => {
        await settleForALargeAdmission(tx);
        return admitAndQueue(tx, config, now, day, whose);
      }),
    ),
  );
  return parts.reduce((a, b) => ({ day, caseworkers: a.caseworkers + b.caseworkers, children: a.children + b.children, messages: a.messages + b.messages }), {
    day,
    caseworkers: 0,
    children: 0,
    messages: 0,
  });
}

/**
 * A share admits ~100,000 children in one statement. PostgreSQL cannot estimate what the insert returns, guesses a
 * join of tens of millions of rows, and so spends ~0.4 s compiling the statement with JIT and sorts on disk
 * (work_mem 4 MB): neither pays for a statement run once a day. `set local` ends with the transaction.
 */
async function settleForALargeAdmission(tx: Conn): Promise<void> {
  await tx.execute(sql`set local jit = off`);
  await tx.execute(sql`set local work_mem = '64MB'`);
}

/**
 * Whose due children a queueing covers: the caseworkers whose staff ids lie in `from`..`to` (inclusive) — one
 * share of a run, or a single caseworker binding an account. A range, not `id % n = k`: PostgreSQL estimates a
 * range from its statistics, while it guessed 0.5 % for the modulo and picked nested loops over 250,000 rows.
 */
export interface StaffRange {
  from: number;
  to: number;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * Splits the staff who could be reminded (active, with an account) into `count` ranges of about as many people,
 * contiguous from the lowest id to the highest, so a staff member added meanwhile still falls in exactly one.
 */
export async function caseworkerShares(conn: Conn, count: number): Promise<StaffRange[]> {
  if (count <= 1) return [{ from: INT_MIN, to: INT_MAX }];
  const firsts = rowsOf<{ first: number }>(
    await conn.execute(sql`
      select min(id) as first from (
        select s.id, ntile(${count}::int) over (order by s.id) as share from ${staff} s
        where s.active and exists (select 1 from ${channelIdentities} ci where ci.staff_id = s.id)) x
      group by share order by first`),
  ).map((r) => Number(r.first));
  const starts = [INT_MIN, ...firsts.slice(1)];
  return starts.map((from, i) => ({ from, to: i + 1 < starts.length ? starts[i + 1]! - 1 : INT_MAX }));
}

/** The children due for a reminder on `day` — current assignment to an active, reachable staff member, not snoozed. */
function dueQuery(day: string, whose: StaffRange) {
  return sql`
    select a.staff_id as "staffId", c.id as "childId", c.name, ar.name as village, c.next_visit_due::text as due
    from ${children} c
    join ${assignments} a on a.child_id = c.id and a.ended_at is null
    join ${staff} s on s.id = a.staff_id and s.active
    join ${areas} ar on ar.code = c.area_code
    where c.status = 'active' and c.next_visit_due <= ${day}::date
      and a.staff_id between ${whose.from}::int and ${whose.to}::int
      and exists (select 1 from ${channelIdentities} ci where ci.staff_id = a.staff_id)
      and not exists (select 1 from ${snoozes} z where z.staff_id = a.staff_id and z.child_id = c.id and z.until >= ${day}::date)`;
}

/** Read-only: who would be reminded on `day` (the benchmark times this apart from writing it down). */
export async function dueForReminders(conn: Conn, day: string, whose: StaffRange = { from: INT_MIN, to: INT_MAX }): Promise<(DueChild & { staffId: number })[]> {
  return rowsOf<DueChild & { staffId: number }>(await conn.execute(dueQuery(day, whose)));
}

/**
 * A caseworker who binds an account after today's reminders were queued would hear of their due visits only
 * tomorrow: queue theirs now, in the binding's transaction, through the same admission (a child reminded today is
 * not reminded again, whoever queued first) and the same outbox row (quiet hours, the send-time refresh, expiry at
 * the day's end). Before today's run, or on a day without one, nothing: the run itself will include them.
 */
export async function queueRemindersForNewlyBound(tx: Conn, config: Config, staffId: number, now: Date): Promise<ReminderRun> {
  const day = localDate(now, config.TZ_NAME);
  const [ran] = await tx
    .select({ job: jobRuns.job })
    .from(jobRuns)
    .where(and(eq(jobRuns.job, REMINDER_JOB), eq(jobRuns.runKey, day)))
    .limit(1);
  if (!ran) return { day, caseworkers: 0, children: 0, messages: 0 };
  return admitAndQueue(tx, config, now, day, { from: staffId, to: staffId });
}

async function admitAndQueue(tx: Conn, config: Config, now: Date, day: string, whose: StaffRange): Promise<ReminderRun> {
  const byStaff = await admitDueChildren(tx, day, whose);
  const staffIds = [...byStaff.keys()];
  if (staffIds.length === 0) return { day, caseworkers: 0, children: 0, messages: 0 };
  const expiresAt = endOfDay(day, config.TZ_NAME);
  const messages: OutboxMessage[] = [];
  for (const ids of chunks(staffIds, 5000)) {
    for (const who of await reachableIdentities(tx, ids)) {
      const items = byStaff.get(who.staffId);
      if (!items || items.length === 0) continue;
      const locale = pickLocale(who.locale, config.DEFAULT_LOCALE);
      messages.push({
        kind: 'reminder',
        staffId: who.staffId,
        channel: who.channel,
        chatId: who.chatId,
        message: renderReminder(locale, day, items),
        dedupeKey: reminderKey(who.staffId, day, who.channel, who.chatId),
        expiresAt,
        notBefore: now,
      });
    }
  }
  for (const batch of chunks(messages, 2000)) await enqueueMany(tx, batch);
  let admitted = 0;
  for (const items of byStaff.values()) admitted += items.length;
  return { day, caseworkers: staffIds.length, children: admitted, messages: messages.length };
}

/**
 * Admits each due child of these caseworkers into `day`'s reminder_log — once a day, whatever ran before today
 * (another instance, a retry, a binding) already holds its row — and returns the children admitted, by caseworker.
 * One statement: the rows never leave the server twice. (Grouping them into one JSON list per caseworker on the
 * server was tried: it moved ~0.15 s of decoding off Node and added ~0.2 s to the statement.)
 */
async function admitDueChildren(tx: Conn, day: string, whose: StaffRange): Promise<Map<number, DueChild[]>> {
  const admitted = rowsOf<DueChild & { staffId: number }>(
    await tx.execute(sql`
      with due as (${dueQuery(day, whose)}),
      admitted as (
        insert into ${reminderLog} (child_id, day, staff_id)
        select "childId", ${day}::date, "staffId" from due
        on conflict do nothing
        returning child_id)
      select due.* from due join admitted on admitted.child_id = due."childId"`),
  );
  const byStaff = new Map<number, DueChild[]>();
  for (const r of admitted) {
    const list = byStaff.get(r.staffId) ?? [];
    list.push({ childId: r.childId, name: r.name, village: r.village, due: r.due });
    byStaff.set(r.staffId, list);
  }
  return byStaff;
}

/** The children logged for these caseworkers' reminders of `day` that are still due and still theirs. */
async function dueListsFor(conn: Conn, staffIds: number[], day: string, since?: Date): Promise<Map<number, DueChild[]>> {
  const out = new Map<number, DueChild[]>();
  for (const ids of chunks(staffIds, 5000)) {
    const rows = await conn
      .select({ staffId: reminderLog.staffId, childId: children.id, name: children.name, village: areas.name, due: children.nextVisitDue })
      .from(reminderLog)
      .innerJoin(children, eq(children.id, reminderLog.childId))
      .innerJoin(areas, eq(areas.code, children.areaCode))
      .innerJoin(
        assignments,
        and(eq(assignments.childId, children.id), eq(assignments.staffId, reminderLog.staffId), isNull(assignments.endedAt)),
      )
      .where(
        and(
          eq(reminderLog.day, day),
          inArray(reminderLog.staffId, ids),
          eq(children.status, 'active'),
          lte(children.nextVisitDue, day),
          sql`not exists (select 1 from ${snoozes} z where z.staff_id = ${reminderLog.staffId} and z.child_id = ${children.id} and z.until >= ${day}::date)`,
          since
            ? sql`not exists (select 1 from ${visits} v where v.child_id = ${children.id} and v.created_at >= ${since.toISOString()}::timestamptz)`
            : sql`true`,
        ),
      )
      .orderBy(asc(children.nextVisitDue), asc(children.id));
    for (const r of rows) {
      const list = out.get(r.staffId) ?? [];
      list.push({ childId: r.childId, name: r.name, village: r.village, due: r.due! });
      out.set(r.staffId, list);
    }
  }
  return out;
}

/** Send-time check of a queued reminder: rebuilt from what is still due; cancelled when nothing is left. */
export async function refreshReminder(db: Db, config: Config, row: OutboxRow, now: Date): Promise<Prepared> {
  const day = /^reminder:\d+:(\d{4}-\d\d-\d\d)(:|$)/.exec(row.dedupeKey ?? '')?.[1];
  if (!day || row.staffId === null) return { action: 'send', message: row.payload as unknown as OutMessage };
  if (localDate(now, config.TZ_NAME) !== day) return { action: 'cancel', reason: 'stale reminder' };
  const items = (await dueListsFor(db, [row.staffId], day, row.createdAt)).get(row.staffId) ?? [];
  if (items.length === 0) return { action: 'cancel', reason: 'nothing due any more' };
  const [who] = await db
    .select({ locale: sql<string | null>`coalesce(${staff.locale}, ${channelIdentities.locale})` })
    .from(channelIdentities)
    .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
    .where(and(eq(channelIdentities.staffId, row.staffId), eq(channelIdentities.channel, row.channel), eq(channelIdentities.chatId, row.chatId)))
    .limit(1);
  if (!who) return { action: 'cancel', reason: 'account no longer bound' };
  return { action: 'send', message: renderReminder(pickLocale(who.locale, config.DEFAULT_LOCALE), day, items) };
}

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rows of a raw query: postgres.js returns an array, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export { chunks };
