// Drafts untouched for DRAFT_TTL_HOURS expire, never silently: the owner is told through the outbox.
// (A user who comes back before this runs is told at once by the runtime instead.)
import { and, eq, lt } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { enqueue } from '../db/outbox.js';
import { conversations, staff } from '../db/schema.js';
import { resolveLocale } from '../i18n/translator.js';
import { defaultFlows } from './registry.js';
import { expiredNotice } from './runtime.js';

export async function expireStaleDrafts(db: Db, now: Date, config: Pick<Config, 'DRAFT_TTL_HOURS' | 'DEFAULT_LOCALE' | 'TZ_NAME'>): Promise<number> {
  const cutoff = new Date(now.getTime() - config.DRAFT_TTL_HOURS * 3_600_000);
  const flows = defaultFlows();
  return db.transaction(async (tx) => {
    const stale = await tx
      .update(conversations)
      .set({ status: 'expired', updatedAt: now })
      .where(and(eq(conversations.status, 'active'), lt(conversations.updatedAt, cutoff)))
      .returning();
    for (const conv of stale) {
      const [owner] = await tx.select({ locale: staff.locale }).from(staff).where(eq(staff.id, conv.staffId));
      const locale = resolveLocale(owner?.locale, config.DEFAULT_LOCALE);
      await enqueue(tx, [
        {
          kind: 'draft.expired',
          staffId: conv.staffId,
          channel: conv.channel,
          chatId: conv.chatId,
          message: expiredNotice(locale, flows.get(conv.flow), conv, config.DRAFT_TTL_HOURS, config.TZ_NAME),
          dedupeKey: `draft-expired:${conv.id}`,
        },
      ]);
    }
    return stale.length;
  });
}
