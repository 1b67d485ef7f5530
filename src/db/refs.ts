// Human-readable references such as ZF-2026-004512 (visits) and BG-2026-000123 (reports).
import { sql, type SQL } from 'drizzle-orm';
import type { Conn } from './client.js';
import { refCounters } from './schema.js';
import { bare } from './statement.js';

export type RefPrefix = 'ZF' | 'BG';

export async function nextRef(conn: Conn, prefix: RefPrefix, year: number): Promise<string> {
  const [row] = await conn
    .insert(refCounters)
    .values({ prefix, year, last: 1 })
    .onConflictDoUpdate({ target: [refCounters.prefix, refCounters.year], set: { last: sql`${refCounters.last} + 1` } })
    .returning({ last: refCounters.last });
  return `${prefix}-${year}-${String(row!.last).padStart(6, '0')}`;
}


/**
 * The next reference as two WITH items for the statement that stores the record, the second (`taken_ref`) holding it
 * as `ref`: the counter's row lock is then taken by that statement, one round trip before the commit, not two.
 */
export function refOf(prefix: RefPrefix, year: SQL | number): SQL {
  const last = bare(refCounters.last);
  return sql`ref_counter as (
      insert into ${refCounters} (${bare(refCounters.prefix)}, ${bare(refCounters.year)}, ${last}) values (${prefix}, ${year}::int, 1)
      on conflict (${bare(refCounters.prefix)}, ${bare(refCounters.year)}) do update set ${last} = ${refCounters.last} + 1
      returning ${last}
    ), taken_ref as (
      select ${prefix} || '-' || ${year}::int::text || '-' || lpad(${last}::text, greatest(6, length(${last}::text)), '0') as ref from ref_counter
    )`;
}
