// A row's stamp: PostgreSQL's `xmin`, the transaction that wrote the row's current version, so it changes with every
// write to the row. A row read with its stamp can later be checked unchanged with one index probe
// (src/db/updateGuard.ts). Stamps ride beside the rows (a WeakMap), so rows keep the schema's own shape.
import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

const stamps = new WeakMap<object, string>();

/** The stamp as a column to select: `"children".xmin::text`. */
export function stampOf(table: PgTable): SQL<string> {
  return sql<string>`${table}.xmin::text`;
}

/** Notes the row's stamp; returns the row. */
export function stamped<T extends object>(row: T, stamp: string): T {
  stamps.set(row, stamp);
  return row;
}

/** The stamp the row was read with, if it was read with one. */
export function rowStamp(row: object): string | undefined {
  return stamps.get(row);
}
