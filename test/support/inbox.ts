// What reached a staff member through the outbox since they last looked: the transcripts' `inbox` turn. The rows
// are taken (marked sent) in order; a person bound on several channels hears each message once here, over the
// channel the transcript runs on.
import { and, eq } from 'drizzle-orm';
import type { OutMessage } from '../../src/bot/message.js';
import type { Db } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';

export async function takeInbox(db: Db, staffId: number): Promise<{ id: number; message: OutMessage }[]> {
  const rows = await db
    .update(outbox)
    .set({ status: 'sent' })
    .where(and(eq(outbox.staffId, staffId), eq(outbox.status, 'pending')))
    .returning({ id: outbox.id, payload: outbox.payload });
  rows.sort((a, b) => a.id - b.id);
  const seen = new Set<string>();
  return rows.flatMap((r) => {
    const key = JSON.stringify(r.payload);
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ id: r.id, message: r.payload as unknown as OutMessage }];
  });
}
