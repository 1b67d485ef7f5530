// Writing to the outbox. Rows are written in the caller's transaction, with the change that causes them;
// the scheduler's sender delivers them.
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
      })),
    )
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id });
  return rows.map((r) => r.id);
}
