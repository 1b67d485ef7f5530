// Whether a button's form was already saved: a second tap on ✅ is told so instead of "an old button".
import { and, eq, like, sql } from 'drizzle-orm';
import type { Conn } from './client.js';
import { conversations } from './schema.js';

/** True when the staff member's conversation whose id starts with `tag` (a button's tag) was committed. */
export async function formSavedWithTag(conn: Conn, staffId: number, tag: string): Promise<boolean> {
  const [row] = await conn
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.staffId, staffId), eq(conversations.status, 'done'), like(sql`${conversations.id}::text`, `${tag}%`)))
    .limit(1);
  return row !== undefined;
}
