// Keeping tables from growing without bound: inbound ids older than the platforms' longest redelivery window
// (Feishu retries for up to ~6 h; we keep 48 h) can no longer come back, so they are forgotten.
import { lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { processedInbound } from '../db/schema.js';

export const INBOUND_RETENTION_MS = 48 * 3_600_000;

export async function pruneProcessedInbound(db: Db, now: Date): Promise<number> {
  const gone = await db
    .delete(processedInbound)
    .where(lt(processedInbound.at, new Date(now.getTime() - INBOUND_RETENTION_MS)))
    .returning({ key: processedInbound.key });
  return gone.length;
}
