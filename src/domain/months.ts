// Calendar months as people report them (2026年11月): the days a month's figures cover, and the
// month before. A month still running is counted up to today; a month not yet begun has no figures.
import { addDays, makeDay } from './dates.js';

export interface MonthSpan {
  /** `YYYY-MM`. */
  month: string;
  /** The month's first day. */
  from: string;
  /** The last day counted: the month's last day, or today while the month is running. */
  through: string;
  /** Whether the month is still running (`through` is today). */
  running: boolean;
}

export const monthOf = (day: string): string => day.slice(0, 7);

export function previousMonth(month: string): string {
  const first = `${month}-01`;
  return monthOf(addDays(first, -1));
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? makeDay(y + 1, 1, 1)! : makeDay(y, m + 1, 1)!;
  return addDays(next, -1);
}

/** The days the month's figures cover as seen on `today`; undefined for a month that has not begun. */
export function monthSpan(month: string, today: string): MonthSpan | undefined {
  const from = `${month}-01`;
  if (from > today) return undefined;
  const last = lastDayOf(month);
  return last < today ? { month, from, through: last, running: false } : { month, from, through: today, running: true };
}

/** 2026年11月 / Nov 2026. */
export function monthLabel(month: string, locale: 'zh-CN' | 'en'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  if (locale === 'zh-CN') return `${y}年${m}月`;
  return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1]} ${y}`;
}
