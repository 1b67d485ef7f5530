// A caseworker's caseload page at county size: their children are found from their open assignments and their
// registrations, by index, not by testing every child in the county (an OR of the two read them all: 157 ms per page
// with 62,000 children, against 0.35 ms). Checked on the real server, where the planner decides: within one
// transaction, PostgreSQL's own counters for it say how the children table was read.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForStaff } from '../../src/db/actor.js';
import { caseloadPage } from '../../src/db/children.js';
import type { Database } from '../../src/db/client.js';
import { areas, children, staff } from '../../src/db/schema.js';
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
    await database.db.execute(sql`analyze`);
  });
  afterAll(() => database.close());

  it('lists the caseworker’s children (those they registered too) without reading the children table through', async () => {
    const [worker] = await database.db.select().from(staff).where(eq(staff.name, '李主任'));
    const actor = (await actorForStaff(database.db, worker!.id))!;
    for (const includePending of [false, true]) {
      // Enough pages for PostgreSQL to settle on the prepared statement's generic plan (after five custom ones).
      for (let round = 0; round < 7; round++) {
        const { scans, page } = await database.db.transaction(async (tx) => {
          const page = await caseloadPage(tx, actor, 0, 6, { includePending, whole: true });
          const [counted] = (await tx.execute(sql`select seq_scan::int as seq, idx_scan::int as idx from pg_stat_xact_user_tables where relname = 'children'`)) as unknown as { seq: number; idx: number }[];
          return { scans: counted!, page };
        });
        expect(page.items.length, `pending ${includePending}, round ${round}`).toBeGreaterThan(0);
        expect(page.items.every((c) => !c.name.startsWith('其他儿童'))).toBe(true);
        expect(scans.seq, `pending ${includePending}, round ${round}: sequential scans of children`).toBe(0);
        expect(scans.idx).toBeGreaterThan(0);
      }
    }
  });
});
