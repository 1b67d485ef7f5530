// Each suite gets its own database: a fresh in-memory PGlite, and — when TEST_DATABASE_URL is set — a fresh
// database created on that server and dropped afterwards, so runs never collide.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { seedDemo } from '../../src/db/seed.js';
import { NOW, TZ } from './world.js';

export interface DatabaseTargetCase {
  name: 'pglite' | 'postgres';
  /** An empty, migrated database. */
  open(): Promise<Database>;
  /**
   * A migrated database holding the demo county seeded at NOW — copied from a template made once per test file
   * (PGlite's clone(), PostgreSQL's CREATE DATABASE … TEMPLATE), which is several times faster than migrating.
   */
  openDemo(): Promise<Database>;
}

export const serverUrl = process.env.TEST_DATABASE_URL;

/** PGlite always; the real server too when TEST_DATABASE_URL is set. Use with describe.each. */
export function databaseTargets(): DatabaseTargetCase[] {
  const targets: DatabaseTargetCase[] = [{ name: 'pglite', open: () => openDatabase({ memory: true }), openDemo: openPgliteDemo }];
  if (serverUrl) targets.push({ name: 'postgres', open: () => openServerDatabase(), openDemo: openServerDemo });
  return targets;
}

let pgliteTemplate: Promise<PGlite> | undefined;

async function openPgliteDemo(): Promise<Database> {
  pgliteTemplate ??= (async () => {
    const template = await openDatabase({ memory: true });
    await seedDemo(template.db, NOW, TZ);
    return (template.db as unknown as { $client: PGlite }).$client;
  })();
  const copy = (await (await pgliteTemplate).clone()) as PGlite;
  return { db: drizzle(copy, { schema }) as unknown as Db, kind: 'pglite', close: () => copy.close() };
}

let serverTemplate: Promise<string> | undefined;

async function openServerDemo(): Promise<Database> {
  serverTemplate ??= (async () => {
    const created = await createServerDatabase('cw_tmpl');
    const template = await openDatabase({ databaseUrl: created.url, poolSize: 1 });
    await seedDemo(template.db, NOW, TZ);
    await template.close();
    return new URL(created.url).pathname.slice(1);
  })();
  const templateName = await serverTemplate;
  const name = uniqueName('cw_test');
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${templateName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  return { ...database, close: async () => { await database.close(); await dropDatabase(name); } };
}

function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Templates outlive their test file (no hook runs at worker exit); ones older than an hour are dropped here. */
async function dropStaleTemplates(admin: postgres.Sql): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'cw_tmpl_%'`;
  for (const { datname } of rows) {
    const made = parseInt(datname.split('_')[2] ?? '', 36);
    if (Number.isFinite(made) && Date.now() - made > 3_600_000) await admin.unsafe(`drop database if exists ${datname} with (force)`);
  }
}

/** A throwaway database on the test server; closing the handle drops it. */
export async function createServerDatabase(prefix = 'cw_test'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = uniqueName(prefix);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  if (prefix === 'cw_tmpl') await dropStaleTemplates(admin);
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
