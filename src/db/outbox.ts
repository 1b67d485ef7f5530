// Writing to the outbox. Rows are written in the caller's transaction, with the change that causes them;
// the scheduler's sender delivers them.
import { inArray } from 'drizzle-orm';
import type { OutMessage } from '../bot/message.js';
import type { Conn } from './client.js';
import { outbox, type ChannelName } from './schema.js';

export interface OutboxMessage {
  kind: string;
  staffId: number | null;
  channel: ChannelName;
  chatId: string;
  message: OutMessage;
  /** Makes a second enqueue of the same message a no-op. */
  dedupeKey?: string;
  urgent?: boolean;
  notBefore?: Date;
  expiresAt?: Date;
  /** The outbox row whose delivered message this one replaces in place, where the channel can edit it. */
  replacesId?: number;
}

/** Inserts the messages; ones whose dedupe key exists already are skipped. Returns the ids inserted. */
export async function enqueue(conn: Conn, messages: OutboxMessage[]): Promise<number[]> {
  if (messages.length === 0) return [];
  const rows = await conn
    .insert(outbox)
    .values(
      messages.map((m) => ({
        kind: m.kind,
        staffId: m.staffId,
        channel: m.channel,
        chatId: m.chatId,
        payload: m.message as unknown as Record<string, unknown>,
        dedupeKey: m.dedupeKey ?? null,
        urgent: m.urgent ?? false,
        ...(m.notBefore ? { notBefore: m.notBefore } : {}),
        expiresAt: m.expiresAt ?? null,
        replacesId: m.replacesId ?? null,
      })),
    )
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id });
  return rows.map((r) => r.id);
}

/** The ids of the rows written under these dedupe keys (a message a later row may replace), by key. */
export async function outboxIdsByKey(conn: Conn, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await conn.select({ id: outbox.id, key: outbox.dedupeKey }).from(outbox).where(inArray(outbox.dedupeKey, keys));
  return new Map(rows.map((r) => [r.key!, r.id]));
}
