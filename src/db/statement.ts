// Statements the hot path sends on every update, built once from the schema's own names (a renamed column still fails
// to compile) and then sent as text plus parameters: drizzle's per-statement work — building the SQL again, its
// `is()` checks, mapping each column — was the largest single share of the bot's CPU.
import { is, Placeholder, sql, type Query, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

/** A statement written with `sql.placeholder(name)` for what changes: built on first use, then only filled in. */
export function prebuilt<Names extends string>(build: () => SQL): (values: Record<Names, unknown>) => Query {
  let text: string | undefined;
  let slots: ({ name: string } | { value: unknown })[] = [];
  return (values) => {
    if (text === undefined) {
      const query = dialect.sqlToQuery(build());
      text = query.sql;
      slots = query.params.map((p) => (is(p, Placeholder) ? { name: p.name } : { value: p }));
    }
    return { sql: text, params: slots.map((s) => ('name' in s ? values[s.name as Names] : s.value)) };
  };
}

/** The same statement as drizzle SQL, for a driver the hot path reaches only through drizzle (PGlite). */
export function asSql(query: Query): SQL {
  const pieces = query.sql.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  pieces.forEach((piece, i) => chunks.push(i % 2 === 0 ? sql.raw(piece) : sql`${query.params[Number(piece) - 1]}`));
  return sql.join(chunks);
}
