// Migrations: the journal only moves forward (drizzle skips an entry older than the newest applied), and
// instances starting together serialise on the advisory lock.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import { migrationsApplied } from '../../src/db/migrationsApplied.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import postgres from 'postgres';

describe('migration journal', () => {
  it('has strictly increasing timestamps and one SQL file per entry', () => {
    const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: { idx: number; when: number; tag: string }[] };
    expect(journal.entries.length).toBeGreaterThan(0);
    journal.entries.forEach((entry, i) => {
      expect(entry.idx).toBe(i);
      if (i > 0) expect(entry.when).toBeGreaterThan(journal.entries[i - 1]!.when);
      expect(() => readFileSync(`${migrationsFolder}/${entry.tag}.sql`, 'utf8')).not.toThrow();
    });
  });
});

describe('the warm-start check on PGlite', () => {
  it('says applied only when the newest journal entry is, so a pending migration still runs', async () => {
    const client = new PGlite();
    try {
      expect(await migrationsApplied(client, migrationsFolder)).toBe(false);
      await migrate(drizzle(client), { migrationsFolder });
      expect(await migrationsApplied(client, migrationsFolder)).toBe(true);
      await client.query('delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)');
      expect(await migrationsApplied(client, migrationsFolder)).toBe(false);
    } finally {
      await client.close();
    }
  });
});

describe.runIf(serverUrl)('migrations on a real server', () => {
  it('lets several instances start at once and applies each migration once', async () => {
    const created = await createServerDatabase();
    try {
      const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: created.url, poolSize: 1 })));
      await Promise.all(opened.map((d) => d.close()));
      const reopened = await openDatabase({ databaseUrl: created.url, poolSize: 1 });
      await reopened.close();
      const sql = postgres(created.url, { max: 1, onnotice: () => {} });
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
      expect(row!.n).toBe(journal.entries.length);
      await expect(sql`update audit_log set action = 'x'`).resolves.toBeDefined();
      await sql`insert into audit_log (action) values ('test')`;
      await expect(sql`delete from audit_log`).rejects.toThrow(/append-only/);
      await sql.end();
    } finally {
      await created.drop();
    }
  });
});
