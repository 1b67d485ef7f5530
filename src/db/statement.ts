// Statements the hot path sends on every update, built once from the schema's own names (a renamed column still fails
// to compile) and then sent as text plus parameters: drizzle's per-statement work — building the SQL again, its
// `is()` checks, mapping each column — was the largest single share of the bot's CPU.
import { getTableColumns, is, Placeholder, sql, type Column, type Query, type SQL, type Table } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { worthPreparing, type Conn } from './client.js';

const dialect = new PgDialect();

/** A column by its bare name (`"answers"`), where SQL wants no table: an insert's or an update's column list. */
export const bare = (column: { name: string }) => sql.identifier(column.name);

/** A named value a prebuilt statement is filled in with. */
export const slot = (name: string) => sql.placeholder(name);

/**
 * A statement written with `sql.placeholder(name)` for what changes: built on first use, then only filled in — from
 * `values`, or from `more` for the names `values` lacks (a statement that folds several in: no merged copy is made,
 * which on the hot path cost more than the rest of the update's statement building).
 */
export function prebuilt<Names extends string>(build: () => SQL): (values: Record<Names, unknown>, ...more: Record<string, unknown>[]) => Query {
  let text: string | undefined;
  let slots: ({ name: string } | { value: unknown })[] = [];
  return (values, ...more) => {
    if (text === undefined) {
      const query = dialect.sqlToQuery(build());
      text = query.sql;
      slots = query.params.map((p) => (is(p, Placeholder) ? { name: p.name } : { value: p }));
    }
    const params = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      params[i] = 'name' in slot ? valueNamed(slot.name, values, more) : slot.value;
    }
    return { sql: text, params };
  };
}

function valueNamed(name: string, values: Record<string, unknown>, more: Record<string, unknown>[]): unknown {
  if (name in values) return values[name];
  for (const source of more) if (name in source) return source[name];
  return undefined;
}

type Fill = (values: Record<string, unknown>, ...more: Record<string, unknown>[]) => Query;

/** One thing per shape (a role, a kind of write: whatever changes a statement's text), each made on first use. */
export function perShape<Shape extends string, T>(make: (shape: Shape) => T): (shape: Shape) => T {
  const made = new Map<Shape, T>();
  return (shape) => {
    let it = made.get(shape);
    if (it === undefined) made.set(shape, (it = make(shape)));
    return it;
  };
}

/** One prebuilt statement per shape, each built on first use. */
export function byShape<Shape extends string>(build: (shape: Shape) => SQL): (shape: Shape) => Fill {
  return perShape((shape: Shape) => prebuilt(() => build(shape)));
}

/** The same statement as drizzle SQL, for a driver the hot path reaches only through drizzle (PGlite). */
export function asSql(query: Query): SQL {
  const pieces = query.sql.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  pieces.forEach((piece, i) => chunks.push(i % 2 === 0 ? sql.raw(piece) : sql`${query.params[Number(piece) - 1]}`));
  return sql.join(chunks);
}

/** postgres.js's options for one statement, and ours: `standalone` (see {@link sendPrebuilt}). */
export interface SendOptions {
  prepare: boolean;
  standalone?: boolean;
}

interface PostgresJsLike {
  unsafe(query: string, params: unknown[], options: SendOptions): { execute(): Promise<Record<string, unknown>[]> };
}

/**
 * Sends a prebuilt statement on a connection (a drizzle database or transaction): straight to postgres.js where that
 * is the driver (handed over at once, so it keeps its place among the transaction's statements), through drizzle
 * otherwise. Rows come back as the driver gives them, by the statement's own column names. `standalone`: a read that
 * needs no lock and writes nothing (a caseload page), which an update computed from known state may send on its own
 * ahead of its guard, in autocommit (src/db/updateTransaction.ts).
 */
export async function sendPrebuilt(conn: Conn, query: Query, standalone = false): Promise<Record<string, unknown>[]> {
  const client = (conn as unknown as { session?: { client?: Partial<PostgresJsLike> & { reserve?: unknown } } }).session?.client;
  if (client && typeof client.unsafe === 'function' && typeof (client as { query?: unknown }).query !== 'function') {
    const options: SendOptions = { prepare: worthPreparing(query.sql, query.params) };
    if (standalone) options.standalone = true;
    return [...(await (client as PostgresJsLike).unsafe(query.sql, query.params, options).execute())];
  }
  const result = (await conn.execute(asSql(query))) as unknown as { rows?: Record<string, unknown>[] } & Record<string, unknown>[];
  return result.rows ?? [...result];
}

const columnsOf = new WeakMap<Table, [string, Column][]>();

/**
 * A row as the driver (or `to_jsonb`) gives it, by the table's SQL column names, mapped back to the schema's own
 * shape as drizzle would map it (timestamps become Dates again).
 */
export function rowOf<T extends Table>(table: T, raw: Record<string, unknown>): T['$inferSelect'] {
  let columns = columnsOf.get(table);
  if (!columns) columnsOf.set(table, (columns = Object.entries(getTableColumns(table))));
  const out: Record<string, unknown> = {};
  for (const [key, column] of columns) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T['$inferSelect'];
}
