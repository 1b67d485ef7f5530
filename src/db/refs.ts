// Human-readable references such as ZF-2026-004512 (visits) and BG-2026-000123 (reports).
import { sql, type SQL } from 'drizzle-orm';
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

const col = (c: { name: string }) => sql.identifier(c.name);

/**
 * The next reference taken inside the statement that stores the record: `with(counter)` on the insert, and `ref` as
 * its value. The counter's row lock is then taken by that statement, one round trip before the commit, not two.
 */
export function refInStatement(conn: Conn, prefix: RefPrefix, year: number): { counter: ReturnType<typeof counterCte>; ref: SQL<string> } {
  const counter = counterCte(conn, prefix, year);
  const width = sql`greatest(6, length(${sql.identifier('ref_counter')}.${col(refCounters.last)}::text))`;
  const ref = sql<string>`(select ${prefix} || '-' || ${String(year)} || '-' || lpad(${sql.identifier('ref_counter')}.${col(refCounters.last)}::text, ${width}, '0') from ${counter})`;
  return { counter, ref };
}

function counterCte(conn: Conn, prefix: RefPrefix, year: number) {
  return conn.$with('ref_counter', { last: refCounters.last }).as(
    sql`insert into ${refCounters} (${col(refCounters.prefix)}, ${col(refCounters.year)}, ${col(refCounters.last)}) values (${prefix}, ${year}, 1)
      on conflict (${col(refCounters.prefix)}, ${col(refCounters.year)}) do update set ${col(refCounters.last)} = ${refCounters.last} + 1
      returning ${col(refCounters.last)}`,
  );
}
