// Quiet hours (QUIET_HOURS, e.g. 21:00-08:00 in TZ_NAME): only urgent messages go out inside them.
import { localTime, zonedInstant, addDays } from './time.js';

export interface QuietHours {
  /** Minutes since midnight. */
  start: number;
  end: number;
}

/** `''` (or equal ends) means no quiet hours. */
export function parseQuietHours(spec: string): QuietHours | null {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(spec.trim());
  if (!m) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return start === end ? null : { start, end };
}

function inside(q: QuietHours, minutes: number): boolean {
  return q.start < q.end ? minutes >= q.start && minutes < q.end : minutes >= q.start || minutes < q.end;
}

/** When quiet hours are on at `now`, the instant they end; otherwise null. */
export function quietUntil(q: QuietHours | null, now: Date, tz: string): Date | null {
  if (!q) return null;
  const lt = localTime(now, tz);
  if (!inside(q, lt.minutes)) return null;
  // The end falls today when we are before it, else tomorrow (a window that wraps midnight).
  const day = lt.minutes < q.end ? lt.date : addDays(lt.date, 1);
  return zonedInstant(day, q.end, tz);
}
