// The X-Telegram-Bot-Api-Secret-Token check. Compared through fixed-length digests so neither the content nor the
// length of the secret leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** Telegram accepts 1–256 characters of A–Z, a–z, 0–9, `_` and `-`. */
export function isValidSecretToken(secret: string): boolean {
  return /^[A-Za-z0-9_-]{1,256}$/.test(secret);
}
