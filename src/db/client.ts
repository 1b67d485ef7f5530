// Opens the database — postgres.js when a URL is given, embedded PGlite otherwise — and applies the migrations.
import { existsSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { makePrivateDir, repairPrivateTree } from '../privateFiles.js';
import { lockDataDir } from './dataDirLock.js';
import { migrationsApplied } from './migrationsApplied.js';
import { pgliteWasm } from './pgliteWasm.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or a transaction: queries take this so they can run inside a caller's transaction. */
export type Conn = Db | Tx;

export type DatabaseTarget = { databaseUrl: string; poolSize?: number } | { dataDir: string } | { memory: true };

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
  /** PGlite on disk: entries of the data directory found readable or writable by others at opening, now 0700/0600. */
  repairedModes?: number;
}

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Arbitrary but fixed: every instance serialises its migrations on this advisory lock. */
const MIGRATION_LOCK = 727_001;

/**
 * Every wait on the server is bounded, so a request never hangs: connecting, a statement (lock waits included), a
 * transaction left open by a client that went away, an idle pooled connection, and a peer that vanished without a
 * reset (TCP keepalive). synchronous_commit is left at the server's setting (on): a commit is durable when acknowledged.
 */
const boundedWaits = {
  socket: plainCloseSocket,
  connect_timeout: 5,
  idle_timeout: 120,
  max_lifetime: 30 * 60,
  keep_alive: 15,
  // A backstop for the scheduler's and the admin's long statements; an inbound update sets its own, far shorter.
  connection: { statement_timeout: 300_000, idle_in_transaction_session_timeout: 60_000, application_name: 'caseworker-bot' },
} as postgres.Options<Record<string, postgres.PostgresType>>; // `socket` is an option postgres.js's types omit

/**
 * postgres.js 3.4.9 fails the queries waiting on a connection when its socket closes cleanly, but not when the close
 * follows an error: a query handed to a pooled connection between a reset (ECONNRESET) and the socket's close then
 * waits forever, and so does every later one routed there. The socket we hand it reports every close as clean, so
 * whatever waits on a dead connection fails at once (and the pool reconnects without its error backoff).
 * It also turns Nagle's algorithm off (TCP_NODELAY).
 */
function plainCloseSocket(options: { host: string[]; port: number[]; path?: string | false }): Socket {
  const socket = options.path ? connectTcp(options.path) : connectTcp(options.port[0] ?? 5432, options.host[0] ?? 'localhost');
  // postgres.js leaves Nagle on: a write that follows another before its answer (a `commit` after a large update is
  // flushed separately) would wait for the server's ACK. node-postgres sets the same.
  socket.setNoDelay(true);
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => (event === 'close' ? emit('close', false) : emit(event, ...args))) as Socket['emit'];
  return socket;
}

/**
 * drizzle sends every statement unprepared (`prepare: false`): a describe and an execute, two round trips each.
 * Prepared, a statement costs one round trip from its second use on each connection. Very large statements (bulk
 * inserts, whose text changes with the row count) stay unprepared so the per-connection statement cache stays small.
 */
export function preparing<T extends object>(client: T): T {
  type Wrapped = (...args: unknown[]) => unknown;
  const wrapBody = (method: Wrapped) => (...args: unknown[]) => {
    const body = args.pop() as (tx: object) => unknown;
    return method(...args, (tx: object) => body(preparing(tx)));
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'unsafe') {
        const unsafe = value as (query: string, params: unknown[], options: object) => unknown;
        return (query: string, params: unknown[] = [], options: object = {}) => unsafe(query, params, { ...options, prepare: worthPreparing(query, params) });
      }
      if (prop === 'begin' || prop === 'savepoint') return wrapBody(value as Wrapped);
      return value;
    },
  });
}

export function worthPreparing(query: string, params: readonly unknown[]): boolean {
  return params.length > 0 && params.length <= 100 && query.length <= 8_000;
}

/**
 * PGlite serves one process with small data: PostgreSQL's default buffers (128 MB shared, resident once touched)
 * were a third of the service's idle memory. 16 MB keeps the demo county and a village's caseload cached.
 */
const pgliteMemory = ['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=1MB', '-c', 'work_mem=2MB', '-c', 'maintenance_work_mem=16MB'];

/** The database the configuration names: PostgreSQL when DATABASE_URL is set, PGlite in DATA_DIR otherwise. */
export function configuredDatabase(config: { DATABASE_URL?: string | undefined; DATA_DIR: string }): DatabaseTarget {
  return config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: config.DATA_DIR };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if ('databaseUrl' in target) return openPostgres(target.databaseUrl, target.poolSize ?? 10);
  return openPglite(target);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // Migrations run on one reserved connection holding an advisory lock: drizzle's migrate() takes none,
  // and instances starting together would race.
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      await migratePostgres(drizzlePostgres(migrator), { migrationsFolder });
    } finally {
      await migrator`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    await migrator.end();
  }
  const client = postgres(url, { max: poolSize, onnotice: () => {}, ...boundedWaits });
  const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
  return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

async function openPglite(target: { dataDir: string } | { memory: true }): Promise<Database> {
  const dataDir = 'dataDir' in target ? target.dataDir : undefined;
  const wasm = pgliteWasm();
  // The directory is private before anything is written into it; PGlite's own files (0666) are fixed after it
  // opens and again after it closes, and in between nobody else can enter the 0700 directory.
  const repairedModes = dataDir && existsSync(dataDir) ? repairPrivateTree(dataDir) : undefined;
  if (dataDir) makePrivateDir(dataDir);
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const pgliteWasmModule = await wasm;
    const client = new PGlite(dataDir, { startParams: [...PGlite.defaultStartParams, ...pgliteMemory], ...(pgliteWasmModule && { pgliteWasmModule }) });
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    if (!(await migrationsApplied(client, migrationsFolder))) {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(db, { migrationsFolder });
    }
    if (dataDir) repairPrivateTree(dataDir);
    return {
      db: db as unknown as Db,
      kind: 'pglite',
      ...(repairedModes !== undefined ? { repairedModes } : {}),
      close: async () => {
        try {
          await client.close();
          if (dataDir) repairPrivateTree(dataDir);
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** A cheap liveness probe for /healthz. */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
