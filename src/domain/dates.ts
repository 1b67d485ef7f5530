// Calendar days as 'YYYY-MM-DD' strings, meaning days in the deployment's time zone. Arithmetic is done on
// UTC midnights, where every day is exactly 24 hours long, so DST and the host's zone never shift a day.
import { normalizeDigits } from './text.js';

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(day: string): [number, number, number] {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function toUtcMs(day: string): number {
  const [y, mo, d] = parts(day);
  return Date.UTC(y, mo - 1, d);
}

function fromUtcMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A day string when (year, month, day) is a real calendar day (2024-02-29 yes, 2026-02-29 no). */
function makeDay(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) return undefined;
  if (!Number.isInteger(month) || month < 1 || month > 12) return undefined;
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** True for a well-formed, existing calendar day. */
export function isValidDay(day: string): boolean {
  const m = DAY_RE.exec(day);
  return m !== null && makeDay(Number(m[1]), Number(m[2]), Number(m[3])) === day;
}

/** The calendar day `now` falls on in `timeZone` (an IANA name such as Asia/Shanghai). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function todayIn(timeZone: string, now: Date): string {
  // Building a DateTimeFormat costs far more than using one; every message asks for today.
  let fmt = dayFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, fmt);
  }
  const got: Record<string, string> = {};
  for (const p of fmt.formatToParts(now)) got[p.type] = p.value;
  return `${got.year}-${got.month}-${got.day}`;
}

export function addDays(day: string, n: number): string {
  return fromUtcMs(toUtcMs(day) + n * DAY_MS);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

export function yearOf(day: string): number {
  return parts(day)[0];
}

/** Age in whole years on `today`; someone born on 29 February turns a year older on 1 March in common years. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = parts(birthDate);
  const [ty, tm, td] = parts(today);
  const hadBirthday = tm > bm || (tm === bm && td >= bd);
  return ty - by - (hadBirthday ? 0 : 1);
}

const monthsEn = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthsEnFull = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];

function monthFromName(name: string): number | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  let i = monthsEn.indexOf(n);
  if (i < 0) i = monthsEnFull.indexOf(n);
  if (i < 0 && n === 'sept') i = 8;
  return i < 0 ? undefined : i + 1;
}

/**
 * A month and day typed without a year. Rule: the most recent such day on or before today, if that is at most
 * 365 days back (so in early January "12月30日" is last December, and a visit typed the same day is today);
 * otherwise this year's day. Only 29 February can reach the "otherwise" branch; when this year has none the
 * input is rejected.
 */
function resolveMonthDay(month: number, day: number, today: string): string | undefined {
  const year = yearOf(today);
  for (const y of [year, year - 1]) {
    const candidate = makeDay(y, month, day);
    if (candidate && candidate <= today && daysBetween(candidate, today) <= 365) return candidate;
  }
  return makeDay(year, month, day);
}

type Parsed = { ok: true; date: string } | { ok: false };

function result(date: string | undefined): Parsed {
  return date ? { ok: true, date } : { ok: false };
}

const relativeDays = new Map<string, number>(
  Object.entries({
    今天: 0,
    今日: 0,
    today: 0,
    昨天: -1,
    昨日: -1,
    yesterday: -1,
    前天: -2,
  }),
);

/**
 * A date as people type it in a chat: ISO and dotted/slashed forms, 8 digits, month/day without a year,
 * Chinese 年月日/号, English "20 Nov" / "Nov 20" (optionally with a year), 今天/昨天/前天/today/yesterday,
 * full-width digits and surrounding spaces. Non-existent days (2026-02-30) are refused.
 */
export function parseDateInput(input: string, today: string): Parsed {
  const text = normalizeDigits(input).trim().toLowerCase();
  if (text === '') return { ok: false };
  const compact = text.replace(/\s+/g, '');

  const rel = relativeDays.get(compact) ?? relativeDays.get(text);
  if (rel !== undefined) return { ok: true, date: addDays(today, rel) };

  let m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(compact);
  if (m) return result(makeDay(Number(m[1]), Number(m[3]), Number(m[4])));

  m = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/.exec(compact);
  if (m) return result(makeDay(Number(m[1]), Number(m[2]), Number(m[3])));

  m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (m) return result(makeDay(Number(m[1]), Number(m[2]), Number(m[3])));

  m = /^(\d{1,2})([-/.])(\d{1,2})$/.exec(compact) ?? /^(\d{1,2})月(\d{1,2})[日号]?$/.exec(compact);
  if (m) {
    const [month, day] = m.length === 4 ? [m[1], m[3]] : [m[1], m[2]];
    return result(resolveMonthDay(Number(month), Number(day), today));
  }

  // English: "20 Nov", "20th November 2026", "Nov 20", "Nov. 20, 2026".
  m = /^(\d{1,2})(?:st|nd|rd|th)?\s*([a-z]+\.?)(?:,?\s+(\d{4}))?$/.exec(text);
  const dayFirst = m ? { day: m[1], month: m[2], year: m[3] } : undefined;
  m = /^([a-z]+\.?)\s*(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$/.exec(text);
  const monthFirst = m ? { day: m[2], month: m[1], year: m[3] } : undefined;
  const en = dayFirst ?? monthFirst;
  if (en && en.month !== undefined && en.day !== undefined) {
    const month = monthFromName(en.month);
    if (month === undefined) return { ok: false };
    if (en.year !== undefined) return result(makeDay(Number(en.year), month, Number(en.day)));
    return result(resolveMonthDay(month, Number(en.day), today));
  }
  return { ok: false };
}

/** 11月23日 / 23 Nov; with the year 2026年11月23日 / 23 Nov 2026. */
export function formatDay(day: string, locale: 'zh-CN' | 'en', opts?: { withYear?: boolean }): string {
  const [y, m, d] = parts(day);
  if (locale === 'zh-CN') return opts?.withYear ? `${y}年${m}月${d}日` : `${m}月${d}日`;
  const name = monthsEn[m - 1] ?? '';
  const month = name.charAt(0).toUpperCase() + name.slice(1);
  return opts?.withYear ? `${d} ${month} ${y}` : `${d} ${month}`;
}
