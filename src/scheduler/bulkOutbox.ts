// Queuing thousands of outbox rows at once (the morning's reminders, the digests). Same rows and dedupe rule as
// src/db/outbox.ts `enqueue`, but sent as one JSON parameter expanded by jsonb_to_recordset: binding ten
// parameters per row costs more than the insert itself at this size.
import { sql } from 'drizzle-orm';
import type { Conn } from '../db/client.js';
import type { OutboxMessage } from '../db/outbox.js';
import { outbox } from '../db/schema.js';

export async function enqueueMany(conn: Conn, messages: OutboxMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const rows = messages.map((m) => ({
    kind: m.kind,
    staff_id: m.staffId,
    channel: m.channel,
    chat_id: m.chatId,
    payload: m.message,
    dedupe_key: m.dedupeKey ?? null,
    urgent: m.urgent ?? false,
    not_before: (m.notBefore ?? new Date()).toISOString(),
    expires_at: m.expiresAt ? m.expiresAt.toISOString() : null,
  }));
  const result = await conn.execute(sql`
    insert into ${outbox} (kind, staff_id, channel, chat_id, payload, dedupe_key, urgent, not_before, expires_at)
    select kind, staff_id, channel, chat_id, payload, dedupe_key, urgent, not_before, expires_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
      kind text, staff_id int, channel text, chat_id text, payload jsonb, dedupe_key text, urgent boolean,
      not_before timestamptz, expires_at timestamptz)
    on conflict (dedupe_key) do nothing`);
  const r = result as unknown as { count?: number; affectedRows?: number };
  return r.count ?? r.affectedRows ?? 0;
}
