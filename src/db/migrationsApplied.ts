// A warm start's migration check on PGlite: one query instead of drizzle's migrate(), which reads and hashes every
// migration file and runs five statements (create schema and table if missing, a select, an empty transaction)
// even when there is nothing to apply.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/** The journal's newest entry: drizzle records its `when` as `created_at` once the migration is applied. */
function newestInJournal(migrationsFolder: string): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return Math.max(...journal.entries.map((entry) => entry.when));
}

/**
 * True when the newest migration in the journal is already applied. drizzle applies only the entries newer than
 * the newest applied one (DESIGN.md §6; a test keeps the journal strictly increasing), so migrate() would then do
 * nothing. False on a new database (no migrations table yet) or when anything is pending: the caller migrates.
 */
export async function migrationsApplied(client: PGlite, migrationsFolder: string): Promise<boolean> {
  let applied: number;
  try {
    const { rows } = await client.query<{ newest: string | null }>('select max(created_at)::text as newest from drizzle.__drizzle_migrations');
    applied = Number(rows[0]?.newest ?? 0);
  } catch {
    return false; // no schema or table yet: the first start
  }
  return applied >= newestInJournal(migrationsFolder);
}
