// Wall-clock arithmetic in the deployment's time zone (TZ_NAME), without a date library: calendar days are
// `YYYY-MM-DD` strings, instants are Dates, and the conversion goes through Intl.
import { addDays, daysBetween, todayIn } from '../domain/dates.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface LocalTime {
  /** The calendar day in the zone, YYYY-MM-DD. */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  seconds: number;
}

export function localTime(now: Date, tz: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(now)) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

/** The calendar day `now` falls on in the zone. */
export function localDate(now: Date, tz: string): string {
  return todayIn(tz, now);
}

export { addDays, daysBetween };

/** The instant at which the zone's clock reads `date` + `minutes` (the later one when a DST gap or fold makes it ambiguous). */
export function zonedInstant(date: string, minutes: number, tz: string): Date {
  const wanted = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  // Two rounds of offset correction settle every real-world zone, DST included.
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const lt = localTime(new Date(guess), tz);
    const seen = Date.parse(`${lt.date}T00:00:00Z`) + lt.minutes * 60_000 + lt.seconds * 1000;
    const diff = wanted - seen;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

/** The start of the day after `date` in the zone: a reminder for `date` is stale from then on. */
export function endOfDay(date: string, tz: string): Date {
  return zonedInstant(addDays(date, 1), 0, tz);
}
