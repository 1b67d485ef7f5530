// Dates as people type them in a chat. chrono-node reads the words (明天, 大前天, 十一月二十日, 3 days ago,
// Dec 10); the project's own rules decide what a day means: weeks start on Monday (上周三 on a Sunday is the
// Wednesday of the week before, not three days ago), and a day typed without a year is taken only when the
// nearest such day on the asked side of today is within 60 days — otherwise the reader is asked to confirm the
// year rather than have a record land a year off.
import { createRequire } from 'node:module';
import type * as ChronoEn from 'chrono-node/en';
import type * as ChronoZh from 'chrono-node/zh';
import { addDays, daysBetween, makeDay, yearOf } from './dates.js';
import { normalizeDigits } from './text.js';

/** Which side of today a day without a year (or a bare weekday) falls on: visits are past, next visits ahead. */
export type Direction = 'past' | 'ahead';

/** A day; or a day whose year (or month) was filled in far from today, to be confirmed before use; or nothing. */
export type TypedDate = { ok: true; date: string; guessed?: true } | { ok: false };

const YEARLESS_WINDOW_DAYS = 60;

const zhDigits: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 3, 十, 十一, 二十三, 两 → a number below 100. */
function smallNumber(s: string): number | undefined {
  if (/^\d{1,3}$/.test(s)) return Number(s);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(s);
  if (!m || s === '') return undefined;
  if (!m[2]) return m[1] !== undefined && m[3] === undefined ? zhDigits[m[1]] : undefined;
  return (m[1] !== undefined ? zhDigits[m[1]]! : 1) * 10 + (m[3] !== undefined ? zhDigits[m[3]]! : 0);
}

const relativeDays: Record<string, number> = {
  今天: 0, 今日: 0, 昨天: -1, 昨日: -1, 前天: -2, 大前天: -3, 明天: 1, 明日: 1, 后天: 2, 大后天: 3,
};

const NUM = '(\\d{1,3}|[一二两三四五六七八九十]{1,3})';

function checked(date: string | undefined, today: string): TypedDate {
  if (!date) return { ok: false };
  return Math.abs(daysBetween(today, date)) > YEARLESS_WINDOW_DAYS ? { ok: true, date, guessed: true } : { ok: true, date };
}

/** A month and day without a year: the nearest such day on the asked side of today (today included). */
function monthDay(month: number, day: number, today: string, direction: Direction): TypedDate {
  if (!makeDay(2024, month, day)) return { ok: false };
  const year = yearOf(today);
  // 29 February can be four years away.
  const years = direction === 'past' ? [0, 1, 2, 3, 4].map((n) => year - n) : [0, 1, 2, 3, 4].map((n) => year + n);
  const pick = years
    .map((y) => makeDay(y, month, day))
    .find((d) => d !== undefined && (direction === 'past' ? d <= today : d >= today));
  return checked(pick, today);
}

/** A day of the month alone (20号): the nearest month that has it, on the asked side of today. */
function dayOfMonth(day: number, today: string, direction: Direction): TypedDate {
  if (day < 1 || day > 31) return { ok: false };
  let [y, m] = [yearOf(today), Number(today.slice(5, 7))];
  for (let i = 0; i < 13; i++) {
    const d = makeDay(y, m, day);
    if (d && (direction === 'past' ? d <= today : d >= today)) return checked(d, today);
    m += direction === 'past' ? -1 : 1;
    if (m === 0) [y, m] = [y - 1, 12];
    if (m === 13) [y, m] = [y + 1, 1];
  }
  return { ok: false };
}

/** ISO weekday of a day: Monday 1 … Sunday 7. */
function isoWeekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

/**
 * A weekday, with Monday-start weeks as in Chinese usage. `weeks` given: that week relative to this one
 * (上周 −1, 本周 0, 下周 1). Otherwise the nearest such weekday on the asked side of today; `strict` excludes
 * today itself (English "last Friday" said on a Friday means a week ago).
 */
function weekday(target: number, today: string, direction: Direction, weeks?: number, strict = false): TypedDate {
  const now = isoWeekday(today);
  if (weeks !== undefined) return { ok: true, date: addDays(today, weeks * 7 + target - now) };
  let back = (now - target + 7) % 7;
  let ahead = (target - now + 7) % 7;
  if (strict && back === 0) back = 7;
  if (strict && ahead === 0) ahead = 7;
  return { ok: true, date: addDays(today, direction === 'past' ? -back : ahead) };
}

const zhWeekdays: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7 };
const zhWeekOffsets: Record<string, number> = { 上上: -2, 上: -1, 这: 0, 本: 0, 下: 1, 下下: 2 };
const enWeekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function enWeekday(word: string): number | undefined {
  const i = enWeekdays.findIndex((d) => word.length >= 3 && d.startsWith(word));
  return i < 0 ? undefined : i + 1;
}

/** The forms the project reads itself: numeric dates, Chinese weekdays and counts of days back. */
function readOwnForms(text: string, compact: string, today: string, direction: Direction): TypedDate | undefined {
  const shift = Object.hasOwn(relativeDays, compact) ? relativeDays[compact] : undefined;
  if (shift !== undefined) return { ok: true, date: addDays(today, shift) };
  let m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(compact) ?? /^(\d{4})()(\d{2})(\d{2})$/.exec(compact);
  if (m) return { ok: true, date: makeDay(Number(m[1]), Number(m[3]), Number(m[4])) ?? '' };
  m = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/.exec(compact);
  if (m) return { ok: true, date: makeDay(Number(m[1]), Number(m[2]), Number(m[3])) ?? '' };
  m = /^(\d{1,2})([-/.])(\d{1,2})$/.exec(compact) ?? /^(\d{1,2})(月)(\d{1,2})[日号]?$/.exec(compact);
  if (m) return monthDay(Number(m[1]), Number(m[3]), today, direction);
  m = new RegExp(`^${NUM}[日号]$`).exec(compact);
  if (m) return dayOfMonth(smallNumber(m[1]!) ?? 0, today, direction);
  m = new RegExp(`^(上个?月|本月|这个?月|下个?月)${NUM}[日号]$`).exec(compact);
  if (m) {
    const shift = m[1]!.startsWith('上') ? -1 : m[1]!.startsWith('下') ? 1 : 0;
    const [y, mo] = [yearOf(today), Number(today.slice(5, 7)) + shift];
    const date = makeDay(mo < 1 ? y - 1 : mo > 12 ? y + 1 : y, ((mo + 11) % 12) + 1, smallNumber(m[2]!) ?? 0);
    return date ? { ok: true, date } : { ok: false };
  }
  m = new RegExp(`^${NUM}(?:个)?(天|日|周|星期|礼拜)(?:以)?前$`).exec(compact);
  if (m) {
    const n = smallNumber(m[1]!);
    if (n === undefined) return { ok: false };
    return { ok: true, date: addDays(today, -n * (m[2] === '天' || m[2] === '日' ? 1 : 7)) };
  }
  m = /^(上上|上|这|本|下下|下)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])$/.exec(compact);
  if (m) return weekday(zhWeekdays[m[2]!]!, today, direction, m[1] === undefined ? undefined : zhWeekOffsets[m[1]]);
  m = /^(?:(last|this|next)\s+)?([a-z]+)$/.exec(text);
  const day = m ? enWeekday(m[2]!) : undefined;
  if (m && day !== undefined) {
    if (m[1] === 'this') return weekday(day, today, direction, 0);
    if (m[1] === 'last') return weekday(day, today, 'past', undefined, true);
    if (m[1] === 'next') return weekday(day, today, 'ahead', undefined, true);
    return weekday(day, today, direction);
  }
  return undefined;
}

let chronoLocales: [typeof ChronoZh, typeof ChronoEn] | undefined;

/**
 * chrono-node's Chinese and English parsers, loaded the first time the rules above do not read a date (20 Nov,
 * Nov 20 2025): some 70 modules and their regular expressions are not worth a start-up. Each locale by its own
 * entry point; the package's main one loads all fifteen.
 */
function chrono(): [typeof ChronoZh, typeof ChronoEn] {
  if (!chronoLocales) {
    const require = createRequire(import.meta.url);
    chronoLocales = [require('chrono-node/zh') as typeof ChronoZh, require('chrono-node/en') as typeof ChronoEn];
  }
  return chronoLocales;
}

/** What chrono reads, when it reads the whole input as one day. */
function readWithChrono(text: string, compact: string, today: string, direction: Direction): TypedDate {
  const reference = { instant: new Date(`${today}T12:00:00Z`), timezone: 0 };
  for (const parser of chrono()) {
    const [result, ...more] = parser.parse(text, reference);
    if (!result || more.length > 0 || result.end) continue;
    if (result.text.replace(/\s+/g, '').toLowerCase() !== compact) continue;
    const { start } = result;
    const month = start.get('month');
    const day = start.get('day');
    if (start.isCertain('day') && start.isCertain('month') && start.isCertain('year')) {
      return { ok: true, date: makeDay(start.get('year') ?? 0, month ?? 0, day ?? 0) ?? '' };
    }
    if (start.isCertain('day') && start.isCertain('month') && month !== null && day !== null) return monthDay(month, day, today, direction);
    if (start.isCertain('weekday') && !start.isCertain('day')) return weekday(start.get('weekday') || 7, today, direction);
  }
  return { ok: false };
}

/**
 * A date as people type it: 2026-11-20, 2026年11月20日, 11月20日, 十一月二十日, 20号, 今天/昨天/前天/明天,
 * 3天前/三天前, 周三/上周三/星期三, 上个月15号, 20 Nov, Nov 20 2025, last Wednesday, 3 days ago; full-width
 * digits and spaces too. Days that do not exist (2026-02-30) are refused.
 */
export function readTypedDate(input: string, today: string, direction: Direction = 'past'): TypedDate {
  const text = normalizeDigits(input).trim().toLowerCase().replace(/\s+/g, ' ');
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || compact.length > 40) return { ok: false };
  const own = readOwnForms(text, compact, today, direction) ?? readWithChrono(text, compact, today, direction);
  return own.ok && own.date === '' ? { ok: false } : own;
}
