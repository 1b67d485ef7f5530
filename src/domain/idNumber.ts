// Resident identity card numbers (GB 11643-1999): 6-digit area code, 8-digit birth date, 3-digit sequence
// (odd = male), and an ISO 7064 MOD 11-2 check character.
import { normalizeDigits } from './text.js';

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/** Full-width to half-width, spaces removed, lower-case x upper-cased. */
export function normalizeIdNumber(input: string): string {
  return normalizeDigits(input).replace(/\s+/g, '').toUpperCase();
}

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (weights[i] ?? 0);
  return checkChars[sum % 11] ?? '';
}

function birthDateOf(digits: string): string | undefined {
  const y = Number(digits.slice(0, 4));
  const m = Number(digits.slice(4, 6));
  const d = Number(digits.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return undefined;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
}

export type IdNumberCheck =
  | { ok: true; idNumber: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; reason: 'format' | 'checksum' | 'birth_date' };

/** Checks shape, then the check character (catches most typos), then that the embedded birth date exists. */
export function validateIdNumber(input: string): IdNumberCheck {
  const idNumber = normalizeIdNumber(input);
  if (!/^\d{17}[\dX]$/.test(idNumber)) return { ok: false, reason: 'format' };
  if (idCheckChar(idNumber.slice(0, 17)) !== idNumber[17]) return { ok: false, reason: 'checksum' };
  const birthDate = birthDateOf(idNumber.slice(6, 14));
  if (!birthDate) return { ok: false, reason: 'birth_date' };
  const sex = Number(idNumber[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, idNumber, birthDate, sex };
}
