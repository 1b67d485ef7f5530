// Each suite gets its own database: a fresh in-memory PGlite, and — when TEST_DATABASE_URL is set — a fresh
// database created on that server and dropped afterwards, so runs never collide.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.js';

export interface DatabaseTargetCase {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

export const serverUrl = process.env.TEST_DATABASE_URL;

/** PGlite always; the real server too when TEST_DATABASE_URL is set. Use with describe.each. */
export function databaseTargets(): DatabaseTargetCase[] {
  const targets: DatabaseTargetCase[] = [{ name: 'pglite', open: () => openDatabase({ memory: true }) }];
  if (serverUrl) targets.push({ name: 'postgres', open: () => openServerDatabase() });
  return targets;
}

/** A throwaway database on the test server; closing the handle drops it. */
export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `cw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(serverUrl!, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export async function openServerDatabase(options: { poolSize?: number } = {}): Promise<Database> {
  const created = await createServerDatabase();
  const database = await openDatabase({ databaseUrl: created.url, poolSize: options.poolSize });
  return {
    ...database,
    async close() {
      await database.close();
      await created.drop();
    },
  };
}
