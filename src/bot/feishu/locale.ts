// The language to use for the adapter's own texts: the staff record's, else the binding's, else what Feishu's
// client told us, else the deployment's default.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { channelIdentities, staff } from '../../db/schema.js';

export async function feishuUserLocale(db: Db, openId: string, hint: string | undefined, fallback: string): Promise<string> {
  if (openId !== '') {
    try {
      const rows = await db
        .select({ staffLocale: staff.locale, identityLocale: channelIdentities.locale })
        .from(channelIdentities)
        .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
        .where(and(eq(channelIdentities.channel, 'feishu'), eq(channelIdentities.externalId, openId)))
        .limit(1);
      const row = rows[0];
      const known = row?.staffLocale ?? row?.identityLocale;
      if (known) return known;
    } catch {
      // The database being away must not stop a refusal or a hint from being sent.
    }
  }
  return hint ?? fallback;
}
