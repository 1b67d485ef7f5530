// Human-readable references such as ZF-2026-004512 (visits) and BG-2026-000123 (reports).
import { sql } from 'drizzle-orm';
import type { Conn } from './client.js';
import { refCounters } from './schema.js';

export type RefPrefix = 'ZF' | 'BG';

export async function nextRef(conn: Conn, prefix: RefPrefix, year: number): Promise<string> {
  const [row] = await conn
    .insert(refCounters)
    .values({ prefix, year, last: 1 })
    .onConflictDoUpdate({ target: [refCounters.prefix, refCounters.year], set: { last: sql`${refCounters.last} + 1` } })
    .returning({ last: refCounters.last });
  return `${prefix}-${year}-${String(row!.last).padStart(6, '0')}`;
}
