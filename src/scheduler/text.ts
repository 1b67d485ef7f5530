// The scheduler's messages in the recipient's language (zh-CN unless the staff record or account says `en`).
import { scheduler, type SchedulerTextKey } from '../i18n/sections/scheduler.js';
import { translator } from '../i18n/translator.js';
import { localTime } from './time.js';

export type Locale = 'zh-CN' | 'en';

export function pickLocale(preferred: string | null | undefined, fallback: string = 'zh-CN'): Locale {
  const l = (preferred ?? fallback).toLowerCase();
  return l.startsWith('en') ? 'en' : 'zh-CN';
}

/** A scheduler message in `locale`, its `{name}`s filled in from `vars` (through the catalogues' one translator). */
export const t: (locale: Locale, key: SchedulerTextKey, vars?: Record<string, string | number>) => string = translator<SchedulerTextKey>(scheduler);

const monthsEn = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar day as people write it: 11月23日 / Nov 23; with its year when that is not `today`'s year. */
export function formatDay(date: string, locale: Locale, today: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const withYear = year !== Number(today.slice(0, 4));
  if (locale === 'en') return `${monthsEn[month - 1]} ${day}${withYear ? ` ${year}` : ''}`;
  return `${withYear ? `${year}年` : ''}${month}月${day}日`;
}

/** An instant as the zone's clock shows it: 11月23日 14:05 / Nov 23 14:05. */
export function formatInstant(at: Date, tz: string, locale: Locale): string {
  const { date, minutes } = localTime(at, tz);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  // Report times are within days of now, so the instant's own year is the reader's (a year-end edge aside).
  return `${formatDay(date, locale, date)} ${hh}:${mm}`;
}
