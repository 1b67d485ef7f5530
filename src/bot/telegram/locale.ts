// The language of the adapter's own texts: the staff record's, else the bound identity's, else Telegram's
// language_code, else the configured default. Only two catalogues exist, so anything else maps to one of them.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { channelIdentities, staff } from '../../db/schema.js';
import { telegram } from '../../i18n/sections/telegram.js';

export type Locale = keyof typeof telegram;
export type TelegramTextKey = keyof (typeof telegram)['zh-CN'];

// Both catalogues must have the same keys: this line stops compiling when one lacks a key.
const _sameKeys: Record<TelegramTextKey, string> & Record<keyof (typeof telegram)['en'], string> = { ...telegram.en, ...telegram['zh-CN'] };
void _sameKeys;

export function telegramText(locale: string, key: TelegramTextKey): string {
  return telegram[normaliseLocale(locale, 'zh-CN')][key];
}

/** `zh`, `zh-hans`, `zh-CN` → zh-CN; `en`, `en-GB` → en; anything else → the fallback. */
export function normaliseLocale(code: string | null | undefined, fallback: Locale): Locale {
  const lower = code?.toLowerCase() ?? '';
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return fallback;
}

/** Looks the user's language up in the database; falls back to the hint when unbound or when the database is down. */
export async function localeForUser(db: Db, userId: string | undefined, hint: string | undefined, fallback: Locale): Promise<Locale> {
  const fromHint = normaliseLocale(hint, fallback);
  if (!userId) return fromHint;
  try {
    const rows = await db
      .select({ staffLocale: staff.locale, identityLocale: channelIdentities.locale })
      .from(channelIdentities)
      .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
      .where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.externalId, userId)))
      .limit(1);
    const row = rows[0];
    const stored = row?.staffLocale ?? row?.identityLocale;
    return stored ? normaliseLocale(stored, fromHint) : fromHint;
  } catch {
    return fromHint;
  }
}
