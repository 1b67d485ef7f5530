// Phone and ID numbers are shown masked in chat (PIPL: children's data is sensitive); full values stay in the database.
import { normalizeDigits } from './text.js';

function maskMiddle(value: string, keepFirst: number, keepLast: number): string {
  const chars = Array.from(value);
  if (chars.length >= keepFirst + keepLast) {
    return chars.slice(0, keepFirst).join('') + '*'.repeat(chars.length - keepFirst - keepLast) + chars.slice(-keepLast).join('');
  }
  // Too short for the usual pattern: show only the last two; one or two characters are hidden completely.
  if (chars.length <= 2) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - 2) + chars.slice(-2).join('');
}

/** '13812345678' → '138****5678'; spaces and dashes are dropped first; empty or missing → ''. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  return maskMiddle(normalizeDigits(phone).replace(/[\s-]+/g, ''), 3, 4);
}

/** '11010520150101123X' → '110105********123X'; empty or missing → ''. */
export function maskIdNumber(idNumber: string | null | undefined): string {
  if (!idNumber) return '';
  return maskMiddle(normalizeDigits(idNumber).replace(/\s+/g, '').toUpperCase(), 6, 4);
}
