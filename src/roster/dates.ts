// Calendar dates as rosters spell them: 2015-03-08, 2015/3/8, 2015.3.8, 2015年3月8日, 20150308, or an Excel
// serial day number. Result: YYYY-MM-DD, or undefined when it is not a real calendar date.
import { cleanText } from './text.js';

const EXCEL_EPOCH_UTC = Date.UTC(1899, 11, 30);

export function parseRosterDate(raw: string): string | undefined {
  const value = cleanText(raw);
  if (value === '') return undefined;
  let match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(value);
  if (!match) match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (match) return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  // Excel serial days (a date cell exported as a number): 1900-03-01 .. 2099 covers every child and visit.
  if (/^\d{5}$/.test(value)) {
    const serial = Number(value);
    if (serial >= 61 && serial < 73_051) return new Date(EXCEL_EPOCH_UTC + serial * 86_400_000).toISOString().slice(0, 10);
  }
  return undefined;
}

export function calendarDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}
