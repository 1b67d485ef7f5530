// The time of day people type after (or instead of) a date: 上午 / 下午 / 晚上, 3点, 3点半, 15:30, 下午3点, 3pm.
// "今天下午3点" is split into the day ("今天", read by readTypedDate) and the time (15:00).
import { normalizeDigits } from './text.js';
import type { OccurredPrecision } from '../db/schema.js';

export type DayPart = 'morning' | 'afternoon' | 'evening';

/** A time of day: a part of the day, or a clock time (minutes after midnight). */
export type TimeOfDay = { part: DayPart } | { minutes: number };

/** Representative clock times of the parts of the day, for ordering and storing them as an instant. */
const partMinutes: Record<DayPart, number> = { morning: 9 * 60, afternoon: 15 * 60, evening: 20 * 60 };

const partWords: [RegExp, DayPart][] = [
  [/凌晨|清晨|早上|早晨|上午|morning|(?:\b|(?<=\d))am\b/, 'morning'],
  [/中午|午后|下午|afternoon|(?:\b|(?<=\d))pm\b/, 'afternoon'],
  [/傍晚|晚上|夜里|夜间|半夜|evening|night/, 'evening'],
];

const clock = /(\d{1,2})\s*(?:[:：]\s*(\d{2})|点\s*(半|(\d{1,2})\s*分?)?|时)/;
/** A bare hour after a part of the day: "下午 3", "3 pm" (never the day of a date such as 2026-11-20). */
const bareHour = /(?:^|\s)(\d{1,2})\s*$/;

/** Splits typed text into what remains (the day) and the time of day, if any was typed. */
export function splitTimeOfDay(input: string): { rest: string; time?: TimeOfDay } {
  let text = normalizeDigits(input).trim().toLowerCase();
  let part: DayPart | undefined;
  for (const [pattern, name] of partWords) {
    if (pattern.test(text)) {
      part = name;
      text = text.replace(pattern, ' ');
      break;
    }
  }
  const m = clock.exec(text) ?? (part ? bareHour.exec(text) : null);
  let minutes: number | undefined;
  if (m) {
    let hours = Number(m[1]);
    const mins = m[2] !== undefined ? Number(m[2]) : m[3] === '半' ? 30 : m[4] !== undefined ? Number(m[4]) : 0;
    if ((part === 'afternoon' || part === 'evening') && hours < 12) hours += 12;
    if (hours <= 23 && mins <= 59) {
      minutes = hours * 60 + mins;
      text = text.replace(m[0], ' ');
    }
  }
  const rest = text.replace(/[\s,，、的]+/g, ' ').trim();
  if (minutes !== undefined) return { rest, time: { minutes } };
  return part ? { rest, time: { part } } : { rest };
}

/** Reads an answer to "what time of day?" alone: a part of the day or a clock time. */
export function readTimeOfDay(input: string): TimeOfDay | undefined {
  const split = splitTimeOfDay(input);
  return split.rest === '' ? split.time : undefined;
}

/** A time of day as stored in an answer: "15:30", or the part's name. */
export function encodeTimeOfDay(time: TimeOfDay): string {
  if ('part' in time) return time.part;
  return `${String(Math.floor(time.minutes / 60)).padStart(2, '0')}:${String(time.minutes % 60).padStart(2, '0')}`;
}

export function decodeTimeOfDay(value: string | null | undefined): TimeOfDay | undefined {
  if (value === 'morning' || value === 'afternoon' || value === 'evening') return { part: value };
  const m = /^(\d{2}):(\d{2})$/.exec(value ?? '');
  return m ? { minutes: Number(m[1]) * 60 + Number(m[2]) } : undefined;
}

/** Minutes after midnight to store, and how precise they are. */
export function occurredClock(time: TimeOfDay | undefined): { minutes: number; precision: OccurredPrecision } {
  if (!time) return { minutes: 0, precision: 'day' };
  if ('part' in time) return { minutes: partMinutes[time.part], precision: time.part };
  return { minutes: time.minutes, precision: 'minute' };
}
