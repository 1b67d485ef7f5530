// One inbound update's transaction in as few round trips as the driver allows. On postgres.js: a reserved
// connection; `begin` pipelined with the update's first statement (round trip 1); the step runs; then every write
// the step deferred, pipelined with `commit` (round trip 2), so row locks are held for about one round trip more
// than the step's own reads. An update computed from known state (src/db/updateGuard.ts) sends `begin` and its guard
// only with the step's first statement, and one that only writes its draft — or its draft and its closing write
// (src/db/closing.ts: storing a visit) — goes as ONE autocommit statement, the guard and the writes folded together.
// On PGlite (one connection, in process: no network to save) an ordinary
// transaction.
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Query, SQL } from 'drizzle-orm';
import { PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js/session';
import postgres from 'postgres';
import { preparing, type Db, type Tx } from './client.js';
import { draftWriteValues, sendDraftWrite, type DraftWrite } from './draftWrites.js';
import type { FilledClosing, SendClosing } from './closing.js';
import { asSql, sendPrebuilt, type SendOptions } from './statement.js';
import { GUARD_TRIPPED, type GuardedUpdate } from './updateGuard.js';

export interface UpdateTransaction {
  tx: Tx;
  /** The rows of the first statement (none for a guarded update: its guard answers nothing the step needs). */
  first: Record<string, unknown>[];
  /**
   * Registers a write to send at the end, pipelined with the commit; `write` must hand its statements to the driver
   * without waiting on anything but promise chains (drizzle's `.execute()` or `await` on a query builder).
   */
  later(write: () => Promise<unknown>): void;
  /**
   * Registers the update's draft writes, asked for once the step is done: the first of the writes sent with the
   * commit, or folded into a guarded update's single statement.
   */
  drafts(writes: () => DraftWrite[]): void;
  /**
   * Sends the update's closing write (src/db/closing.ts): after it the update sends nothing and its drafts are final.
   * A guarded update that has sent nothing yet sends it folded with its guard and draft write, as its one statement.
   */
  close: SendClosing;
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
  return inPipelinedTransaction(client, { read: first }, body);
}

/**
 * The guard's check failed (or it was never sent because the step failed first): the update was computed from state
 * that is no longer current. Nothing was written; the caller does the update again the ordinary way.
 */
export class GuardTripped extends Error {}

/** Whether updates can go optimistically in one round trip (postgres.js; PGlite in process has no round trips to save). */
export function canGuard(db: Db): boolean {
  return postgresClient(db) !== undefined;
}

/**
 * An update computed from known state (src/db/updateGuard.ts), in one round trip when the step reads nothing: the
 * guard with the draft write folded in, as one autocommit statement — or, when there are other writes, `begin`, the
 * guard, the writes and `commit` sent together. A step that reads sends `begin` and the guard with its first read (two
 * round trips, as the ordinary form). The guard refusing rolls everything back and surfaces as {@link GuardTripped}.
 */
export async function inGuardedUpdateTransaction<T>(db: Db, update: GuardedUpdate, body: (t: UpdateTransaction) => Promise<T>): Promise<T> {
  const client = postgresClient(db);
  if (!client) throw new Error('guarded updates need postgres.js');
  return inPipelinedTransaction(client, { guarded: update }, body);
}

const clients = new WeakMap<Db, postgres.Sql | undefined>();

/** The postgres.js client under drizzle, if that is the driver (looked up once per database: it is asked on every update). */
function postgresClient(db: Db): postgres.Sql | undefined {
  if (clients.has(db)) return clients.get(db);
  const client = (db as unknown as { $client?: { reserve?: unknown } }).$client;
  const found = typeof client?.reserve === 'function' ? (client as postgres.Sql) : undefined;
  clients.set(db, found);
  return found;
}

async function inDrizzleTransaction<T>(db: Db, first: SQL, body: (t: UpdateTransaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const run = async (statement: SQL) => {
      const result = (await tx.execute(statement)) as unknown as { rows?: Record<string, unknown>[] } & Record<string, unknown>[];
      return result.rows ?? [...result];
    };
    const writes: (() => Promise<unknown>)[] = [];
    let drafts: () => DraftWrite[] = () => [];
    const close = (w: FilledClosing) => sendPrebuilt(tx, w.statement.alone(w.values), w.statement.readOnly);
    const value = await body({ tx, first: await run(first), later: (w) => writes.push(w), drafts: (d) => (drafts = d), close });
    for (const draft of drafts()) await sendDraftWrite((query) => run(asSql(query)), draft);
    for (const write of writes) await write();
    return value;
  });
}

/**
 * `read`: `begin` and the first statement, whose rows the step needs, make round trip 1. `guarded`: they are sent only
 * with the step's first statement, or — when the step sends none — with the writes and the commit, or folded with the
 * draft write into one statement when that is all the update writes, or with the draft write and the closing write
 * (`close`). A standalone read (a caseload page) goes ahead of them on its own, in autocommit.
 */
async function inPipelinedTransaction<T>(client: postgres.Sql, how: { read: SQL } | { guarded: GuardedUpdate }, body: (t: UpdateTransaction) => Promise<T>): Promise<T> {
  const guarded = 'guarded' in how ? how.guarded : undefined;
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
  /**
   * A guarded update's closing write, sent folded with its guard: the drafts folded in, whether it committed, and its
   * outcome once the server answered (never rejects).
   */
  let closed: { drafts: string; committed: boolean; settled: Promise<void> } | undefined;
  const step = <R>(next: Promise<R>, roundTrip?: Deadline): Promise<R> => {
    work = next;
    return roundTrip ? deadline.bound(roundTrip.bound(next)).finally(() => roundTrip.clear()) : deadline.bound(next);
  };
  const send = (target: postgres.ReservedSql, query: Query) =>
    target.unsafe(query.sql, query.params as postgres.ParameterOrJSON<never>[], { prepare: true }).execute() as unknown as Promise<Record<string, unknown>[]>;
  let opened: Promise<Record<string, unknown>[]> | undefined;
  const open = () => {
    if (!opened) {
      // `.execute()` hands each to the driver now, in this order: a postgres.js query waits for `.then()` otherwise, and
      // Promise.all calls that a microtask later — after a statement the step sends right behind these.
      const begin = conn.unsafe(BEGIN).execute();
      const first = guarded ? guarded.guard() : dialect.sqlToQuery((how as { read: SQL }).read);
      opened = Promise.all([begin, send(conn, first)]).then(([, rows]) => rows);
      opened.catch(() => {}); // awaited below; not "unhandled" meanwhile
    }
    return opened;
  };
  // A failure of a guarded update is first matched against the guard's answer: a refusal there is the real cause.
  const verdict = async (error: unknown): Promise<never> => {
    if (!guarded || error instanceof TransactionDeadline) throw error;
    throw refusedAsStale(error) ?? (await deadline.bound(guardOutcome(opened)).catch(() => undefined)) ?? error;
  };
  try {
    const rows = guarded ? [] : [...(await step(open(), new Deadline(ROUND_TRIP_MS)))];
    const seal = { sealed: false };
    // A standalone read sent before the guard goes ahead of it, on its own; the guard's `begin` comes with the next one.
    const wire = sealable(preparing(conn), seal, open, () => {
      if (guarded && !opened) guarded.readsAhead++;
    });
    const writes: (() => Promise<unknown>)[] = [];
    let drafts: () => DraftWrite[] = () => [];
    const tx = transactionOver(wire);
    // A guarded update that has sent nothing when it closes sends its closing write, guard and draft write as one
    // statement, between `begin` (with the round trip's statement_timeout, so that the server cancels it rather than
    // commit it after the client gave up) and `commit`, all three in one round trip. What it wrote is then committed,
    // and the drafts it folded in must be its last.
    const close = (w: FilledClosing): Promise<Record<string, unknown>[]> => {
      const folded = guarded && !opened && writes.length === 0 && closed === undefined ? guarded.folded(drafts(), w) : undefined;
      if (!folded) return sendPrebuilt(tx, w.statement.alone(w.values), w.statement.readOnly);
      seal.sealed = true;
      // A closing read writes nothing but the draft: like a draft write folded with its guard, it goes in autocommit.
      const sent = w.statement.readOnly ? send(conn, folded) : closingTransaction(conn, () => send(conn, folded));
      const state = { drafts: draftsAsSent(drafts()), committed: false, settled: Promise.resolve() };
      state.settled = sent.then(
        () => void (state.committed = true),
        () => {},
      );
      closed = state;
      return step(sent, new Deadline(ROUND_TRIP_MS)).catch((error: unknown) => {
        throw refusedAsStale(error) ?? error;
      });
    };
    const value = await step(body({ tx, first: rows, later: (w) => writes.push(w), drafts: (d) => (drafts = d), close })).catch(verdict);
    const draftWrites = drafts();
    if (closed) {
      await step(closed.settled);
      // The step went on after its closing write failed (it caught the error): nothing of the update was written.
      if (!closed.committed) throw new GuardTripped('the closing write did not commit');
      if (writes.length > 0 || draftsAsSent(draftWrites) !== closed.drafts) throw new Error('the update wrote after its closing write, which was sent with its guard and is committed');
      conn.release();
      return value;
    }
    // Nothing sent yet and nothing to write but the draft: the whole update is one statement, in autocommit.
    const folded = guarded && !opened && writes.length === 0 ? guarded.folded(draftWrites) : undefined;
    if (folded) {
      await step(send(conn, folded), new Deadline(ROUND_TRIP_MS)).catch((error: unknown) => {
        throw refusedAsStale(error) ?? error;
      });
      conn.release();
      return value;
    }
    open();
    const pending = [...draftWrites.map((d) => sendDraftWrite((query) => send(wire, query), d)), ...writes.map((w) => w())];
    for (const p of pending) p.catch(() => {}); // seen by Promise.all below; not "unhandled" meanwhile
    // postgres.js sends statements in the order they reach it, and drizzle hands them over a few microtasks after the
    // call: the commit is issued on the next turn of the event loop, after every write, and still before postgres.js
    // flushes its buffer (on a setImmediate scheduled after this one), so it goes in the same packet. A statement
    // that reaches the driver later still (a write that waited on something) would run after the commit, outside the
    // transaction: it is refused instead, and the update fails.
    await new Promise<void>((resolve) => setImmediate(resolve));
    seal.sealed = true;
    const [done] = await step(Promise.all([conn.unsafe('commit').execute(), opened, ...pending]), new Deadline(ROUND_TRIP_MS)).catch(verdict);
    // A statement that failed aborts the transaction, and then `commit` answers ROLLBACK instead of failing.
    if ((done as unknown as { command?: string }).command !== 'COMMIT') throw new Error('the update transaction was rolled back');
    conn.release();
    return value;
  } catch (error) {
    // Past a deadline, the connection is handed back only once what it was doing has ended.
    if (error instanceof TransactionDeadline) work.then(() => rollbackAndRelease(conn), (late: unknown) => afterFailure(conn, late));
    else afterFailure(conn, error);
    // A guarded update that failed before its guard was sent is done again — unless its closing write committed: it
    // is waited for, if still on its way, before deciding.
    if (closed && !closed.committed && !(error instanceof TransactionDeadline)) await deadline.bound(closed.settled).catch(() => {});
    if (guarded && !opened && !closed?.committed && !(error instanceof GuardTripped) && !(error instanceof TransactionDeadline) && !connectionLost(error)) {
      throw new GuardTripped('the update failed before its guard was sent, or its closing write did not commit', { cause: error });
    }
    throw error;
  } finally {
    deadline.clear();
  }
}

const draftsAsSent = (writes: DraftWrite[]) => JSON.stringify(writes.map(draftWriteValues));

/**
 * A closing write between `begin` (with the round trip's statement_timeout, so that the server cancels it rather than
 * commit it after the client gave up) and `commit`, the three handed to the driver in this order, in one round trip.
 */
function closingTransaction(conn: postgres.ReservedSql, write: () => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>[]> {
  const begin = conn.unsafe(BEGIN).execute();
  const written = write();
  const commit = conn.unsafe('commit').execute();
  return Promise.all([begin, written, commit]).then(([, rows, done]) => {
    if ((done as unknown as { command?: string }).command !== 'COMMIT') throw new Error('the closing write was rolled back');
    return rows;
  });
}

/** The guard's verdict once its answer is in: a {@link GuardTripped} when it refused, else undefined. */
async function guardOutcome(opened: Promise<unknown> | undefined): Promise<GuardTripped | undefined> {
  return refusedAsStale(await opened?.then(() => undefined, (error: unknown) => error));
}

/**
 * A failure that means "computed from stale state": the guard's refusal, or a new draft meeting one that another
 * instance started meanwhile (the guard saw none; the unique index on active drafts refused the second).
 */
function refusedAsStale(failure: unknown): GuardTripped | undefined {
  if (failure instanceof postgres.PostgresError && (failure.code === GUARD_TRIPPED || failure.constraint_name === 'conversations_active_uq')) {
    return new GuardTripped(failure.message, { cause: failure });
  }
  return undefined;
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

function transactionOver(wire: postgres.ReservedSql): Tx {
  // drizzle's transaction object over our own connection: it only ever sends statements through the session.
  const session = new PostgresJsSession(wire as unknown as postgres.Sql, dialect, undefined);
  return new PostgresJsTransaction(dialect, session as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1], undefined) as unknown as Tx;
}

/**
 * The connection as the step sees it: `begin` and the first statement go ahead of the step's first statement (they
 * were sent already unless the first statement is a guard), except ahead of a standalone read (src/db/statement.ts),
 * which a guarded update sends on its own, in autocommit, before them: under read committed it sees what it would
 * see inside the transaction, and a guard that refuses later has the update done again from scratch. Once the commit
 * is issued, a statement is refused.
 */
function sealable(conn: postgres.ReservedSql, seal: { sealed: boolean }, open: () => unknown, ahead: () => unknown): postgres.ReservedSql {
  return new Proxy(conn, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'unsafe') return value;
      const unsafe = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (seal.sealed) throw new Error('a statement reached the update transaction after its commit was issued (a closing write sent with the guard is the commit): a write sent with the commit must send its statements at once (drizzle `.execute()`), and nothing may follow a closing write');
        const options = args[2] as SendOptions | undefined;
        if (options?.standalone) {
          args[2] = { prepare: options.prepare };
          ahead();
        } else open();
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
