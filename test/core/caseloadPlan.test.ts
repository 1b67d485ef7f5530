// A caseworker's caseload page at county size: their children are found from their open assignments and their
// registrations, by index, not by testing every child in the county (an OR of the two read them all: 157 ms per page
// with 62,000 children, against 0.35 ms). Checked on the real server, where the planner decides: within one
// transaction, PostgreSQL's own counters say how the children and assignments tables were read.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForStaff, type Actor } from '../../src/db/actor.js';
import { caseloadPage } from '../../src/db/children.js';
import type { Database } from '../../src/db/client.js';
import { areas, assignments, children, staff } from '../../src/db/schema.js';
import { databaseTargets } from '../support/db.js';

const server = databaseTargets().find((t) => t.name === 'postgres');
const OTHERS = 20_000;

describe.runIf(server)('a caseworker’s caseload page in a county of many children (real PostgreSQL)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await server!.openDemo();
    const [village] = await database.db.select().from(areas).where(eq(areas.level, 'village')).limit(1);
    // Children on nobody's caseload, as in the rest of a county.
    await database.db.execute(sql`insert into ${children} (name, area_code, status, next_visit_due)
      select '其他儿童' || g, ${village!.code}, 'active', current_date + (g % 90) from generate_series(1, ${OTHERS}) g`);
  });
  afterAll(() => database.close());

  /** Pages of a caseload, each in its own transaction, with how that transaction read the two tables. */
  const pages = async (actor: Actor, includePending: boolean, rounds: number) => {
    const out = [];
    for (let round = 0; round < rounds; round++) {
      out.push(
        await database.db.transaction(async (tx) => {
          // The backend's counters, before and after: they hold what it has not yet reported, earlier transactions' too,
          // and report nothing while a transaction is open.
          const count = async () => {
            const rows = (await tx.execute(sql`select relname, seq_scan::int as seq, idx_scan::int as idx from pg_stat_xact_user_tables
              where relname in ('children', 'assignments')`)) as unknown as { relname: string; seq: number; idx: number }[];
            const of = (name: string) => rows.find((c) => c.relname === name) ?? { seq: 0, idx: 0 };
            return { children: of('children'), assignments: of('assignments') };
          };
          const before = await count();
          const page = await caseloadPage(tx, actor, 0, 6, { includePending, whole: true });
          const after = await count();
          const delta = (name: 'children' | 'assignments') => ({ seq: after[name].seq - before[name].seq, idx: after[name].idx - before[name].idx });
          return { page, children: delta('children'), assignments: delta('assignments') };
        }),
      );
    }
    return out;
  };

  it('gathers a large caseload, just assigned, once per page', async () => {
    // A caseworker with 130 of the county's children, assigned before any statistics were gathered. (As `id in (…)`,
    // a plan made on a new database without statistics ran the subquery again for every child: 12.7 ms a page in the
    // bench's world; that plan is not reproduced on this test database, where both forms pass.)
    const [village] = await database.db.select().from(areas).where(eq(areas.level, 'village')).limit(1);
    const [worker] = await database.db.insert(staff).values({ name: '新社工', role: 'caseworker', areaCode: village!.code }).returning();
    await database.db.execute(sql`insert into ${assignments} (child_id, staff_id)
      select id, ${worker!.id} from ${children} where name like '其他儿童%' order by id limit 130`);
    const actor = (await actorForStaff(database.db, worker!.id))!;
    for (const { page, assignments: read } of await pages(actor, false, 7)) {
      expect(page.items).toHaveLength(6);
      expect(read.idx + read.seq).toBeLessThanOrEqual(1);
    }
  });

  it('lists the caseworker’s children (those they registered too) without reading the children table through', async () => {
    await database.db.execute(sql`analyze`);
    const [worker] = await database.db.select().from(staff).where(eq(staff.name, '李主任'));
    const actor = (await actorForStaff(database.db, worker!.id))!;
    for (const includePending of [false, true]) {
      // Enough pages for PostgreSQL to settle on the prepared statement's generic plan (after five custom ones).
      for (const [round, { page, children: scans, assignments }] of (await pages(actor, includePending, 7)).entries()) {
        expect(page.items.length, `pending ${includePending}, round ${round}`).toBeGreaterThan(0);
        expect(page.items.every((c) => !c.name.startsWith('其他儿童'))).toBe(true);
        expect(scans.seq, `pending ${includePending}, round ${round}: sequential scans of children`).toBe(0);
        expect(scans.idx).toBeGreaterThan(0);
        expect(assignments.idx + assignments.seq).toBeLessThanOrEqual(1);
      }
    }
  });
});
