// One inbound update's transaction in as few round trips as the driver allows. On postgres.js: a reserved
// connection; `begin` pipelined with the update's first statement (round trip 1); the step runs; then every write
// the step deferred, pipelined with `commit` (round trip 2), so row locks are held for about one round trip more
// than the step's own reads. On PGlite (one connection, in process: no network to save) an ordinary transaction.
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js/session';
import postgres from 'postgres';
import { preparing, type Db, type Tx } from './client.js';

export interface UpdateTransaction {
  tx: Tx;
  /** The rows of the first statement. */
  first: Record<string, unknown>[];
  /**
   * Registers a write to send at the end, pipelined with the commit; `write` must hand its statements to the driver
   * without waiting on anything but promise chains (drizzle's `.execute()` or `await` on a query builder).
   */
  later(write: () => Promise<unknown>): void;
}

/**
 * How long one update may wait for a pooled connection, for each of its own round trips (the first one may wait for
 * another instance's lock on the same user's draft, held for about one round trip), and hold a transaction open,
 * whatever the network does. postgres.js 3.4.9 waits without bound for a connection when the server accepts and
 * then drops connections, and for the answer on a pooled connection that was reset while idle.
 */
const CONNECTION_WAIT_MS = 30_000;
const ROUND_TRIP_MS = 15_000;
const TRANSACTION_DEADLINE_MS = 45_000;

const dialect = new PgDialect();
/** One simple-protocol message: the update's statements may not wait on a lock or run longer than a round trip's bound. */
const BEGIN = `begin; set local statement_timeout = ${ROUND_TRIP_MS}`;

export class TransactionDeadline extends Error {
  readonly code = 'ETIMEDOUT';
}

export async function inUpdateTransaction<T>(db: Db, first: SQL, body: (t: UpdateTransaction) => Promise<T>): Promise<T> {
  const client = postgresClient(db);
  if (!client) return inDrizzleTransaction(db, first, body);
  return inPipelinedTransaction(client, first, body);
}

function postgresClient(db: Db): postgres.Sql | undefined {
  const client = (db as unknown as { $client?: { reserve?: unknown } }).$client;
  return typeof client?.reserve === 'function' ? (client as postgres.Sql) : undefined;
}

async function inDrizzleTransaction<T>(db: Db, first: SQL, body: (t: UpdateTransaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const result = (await tx.execute(first)) as unknown as { rows?: Record<string, unknown>[] } & Record<string, unknown>[];
    const writes: (() => Promise<unknown>)[] = [];
    const value = await body({ tx, first: result.rows ?? [...result], later: (w) => writes.push(w) });
    for (const write of writes) await write();
    return value;
  });
}

async function inPipelinedTransaction<T>(client: postgres.Sql, first: SQL, body: (t: UpdateTransaction) => Promise<T>): Promise<T> {
  const waiting = new Deadline(CONNECTION_WAIT_MS);
  const reserving = client.reserve();
  const conn = await waiting
    .bound(reserving)
    .catch((error: unknown) => {
      reserving.then((late) => late.release(), () => {});
      throw error;
    })
    .finally(() => waiting.clear());
  const deadline = new Deadline(TRANSACTION_DEADLINE_MS);
  let work: Promise<unknown> = Promise.resolve();
  const step = <R>(next: Promise<R>, roundTrip?: Deadline): Promise<R> => {
    work = next;
    return roundTrip ? deadline.bound(roundTrip.bound(next)).finally(() => roundTrip.clear()) : deadline.bound(next);
  };
  try {
    const query = dialect.sqlToQuery(first);
    const [, rows] = await step(
      Promise.all([conn.unsafe(BEGIN), conn.unsafe(query.sql, query.params as postgres.ParameterOrJSON<never>[], { prepare: true })]),
      new Deadline(ROUND_TRIP_MS),
    );
    const seal = { sealed: false };
    const tx = transactionOver(conn, seal);
    const writes: (() => Promise<unknown>)[] = [];
    const value = await step(body({ tx, first: [...rows], later: (w) => writes.push(w) }));
    const pending = writes.map((w) => w());
    for (const p of pending) p.catch(() => {}); // seen by Promise.all below; not "unhandled" meanwhile
    // postgres.js sends statements in the order they reach it, and drizzle hands them over a few microtasks after the
    // call: the commit is issued on the next turn of the event loop, after every write, and still before postgres.js
    // flushes its buffer (on a setImmediate scheduled after this one), so it goes in the same packet. A statement
    // that reaches the driver later still (a write that waited on something) would run after the commit, outside the
    // transaction: it is refused instead, and the update fails.
    await new Promise<void>((resolve) => setImmediate(resolve));
    seal.sealed = true;
    const [done] = await step(Promise.all([conn.unsafe('commit'), ...pending]), new Deadline(ROUND_TRIP_MS));
    // A statement that failed aborts the transaction, and then `commit` answers ROLLBACK instead of failing.
    if ((done as unknown as { command?: string }).command !== 'COMMIT') throw new Error('the update transaction was rolled back');
    conn.release();
    return value;
  } catch (error) {
    // Past a deadline, the connection is handed back only once what it was doing has ended.
    if (error instanceof TransactionDeadline) work.then(() => rollbackAndRelease(conn), (late: unknown) => afterFailure(conn, late));
    else afterFailure(conn, error);
    throw error;
  } finally {
    deadline.clear();
  }
}

/**
 * After an error of the server or of the step the connection is sound: roll back and hand it back. After a lost
 * connection postgres.js has already closed it and reconnects it on demand; touching or releasing it again would put
 * a dead connection back in the pool (postgres.js 3.4.9 then throws from a timer: "Cannot read properties of null").
 */
function afterFailure(conn: postgres.ReservedSql, error: unknown): void {
  if (!connectionLost(error)) rollbackAndRelease(conn);
}

function rollbackAndRelease(conn: postgres.ReservedSql): void {
  conn.unsafe('rollback').then(
    () => conn.release(),
    (error: unknown) => {
      if (!connectionLost(error)) conn.release();
    },
  );
}

function connectionLost(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof postgres.PostgresError) return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('CONNECT') || /^E[A-Z]+$/.test(code))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function transactionOver(conn: postgres.ReservedSql, seal: { sealed: boolean }): Tx {
  // drizzle's transaction object over our own connection: it only ever sends statements through the session.
  const session = new PostgresJsSession(sealable(preparing(conn), seal) as unknown as postgres.Sql, dialect, undefined);
  return new PostgresJsTransaction(dialect, session as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1], undefined) as unknown as Tx;
}

/** The connection as the step sees it: once the commit is issued, a statement sent through it is refused. */
function sealable(conn: postgres.ReservedSql, seal: { sealed: boolean }): postgres.ReservedSql {
  return new Proxy(conn, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'unsafe') return value;
      const unsafe = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (seal.sealed) throw new Error('a statement reached the update transaction after its commit was issued: a write sent with the commit must send its statements at once (drizzle `.execute()`)');
        return unsafe(...args);
      };
    },
  });
}

class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private readonly expired: Promise<never>;

  constructor(ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        reject(new TransactionDeadline(`no answer from the database within ${ms} ms`));
      }, ms);
    });
    this.expired.catch(() => {});
  }

  bound<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expired]);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
