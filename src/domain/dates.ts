// Calendar days as 'YYYY-MM-DD' strings, meaning days in the deployment's time zone. Arithmetic is done on
// UTC midnights, where every day is exactly 24 hours long, so DST and the host's zone never shift a day.
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
export function makeDay(year: number, month: number, day: number): string | undefined {
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
  // Every zone's day starts on a whole minute: the day is formatted once per minute per zone.
  const minute = Math.floor(now.getTime() / 60_000);
  const known = lastDays.get(timeZone);
  if (known?.minute === minute) return known.day;
  const got: Record<string, string> = {};
  for (const p of fmt.formatToParts(now)) got[p.type] = p.value;
  const day = `${got.year}-${got.month}-${got.day}`;
  lastDays.set(timeZone, { minute, day });
  return day;
}

const lastDays = new Map<string, { minute: number; day: string }>();

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

const monthsEn = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * How a day is read back to people: 11月23日 / 23 Nov within the current year, 2025年12月10日 / 10 Dec 2025
 * otherwise — a day of another year shown without its year is how a wrong year went unnoticed. `today` is the
 * reader's today; `withYear` forces the year (birth dates, bounds in error messages).
 */
export function formatDay(day: string, locale: 'zh-CN' | 'en', shown: { today: string } | { withYear: true }): string {
  const [y, m, d] = parts(day);
  const withYear = 'withYear' in shown || yearOf(shown.today) !== y;
  if (locale === 'zh-CN') return withYear ? `${y}年${m}月${d}日` : `${m}月${d}日`;
  const month = monthsEn[m - 1] ?? '';
  return withYear ? `${d} ${month} ${y}` : `${d} ${month}`;
}
