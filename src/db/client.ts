// Opens the database — postgres.js when a URL is given, embedded PGlite otherwise — and applies the migrations.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { makePrivateDir, repairPrivateTree } from '../privateFiles.js';
import { lockDataDir } from './dataDirLock.js';
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
  const client = postgres(url, { max: poolSize, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

async function openPglite(target: { dataDir: string } | { memory: true }): Promise<Database> {
  const dataDir = 'dataDir' in target ? target.dataDir : undefined;
  // The directory is private before anything is written into it; PGlite's own files (0666) are fixed after it
  // opens and again after it closes, and in between nobody else can enter the 0700 directory.
  const repairedModes = dataDir && existsSync(dataDir) ? repairPrivateTree(dataDir) : undefined;
  if (dataDir) makePrivateDir(dataDir);
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const client = new PGlite(dataDir);
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder });
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
