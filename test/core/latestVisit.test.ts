// Issue 13: a child is read with its latest visit, so choosing the visit's date reads nothing more. What the child's
// read says must be exactly what reading the visits says: for every child of the demo county (never visited, visited
// once, several times), on every day around their visits.
import { and, desc, eq, lte } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForStaff } from '../../src/db/actor.js';
import { childForActor, lastVisitOf } from '../../src/db/children.js';
import type { Database } from '../../src/db/client.js';
import { children, staff, visits } from '../../src/db/schema.js';
import { addDays } from '../../src/domain/dates.js';
import { databaseTargets } from '../support/db.js';

describe.each(databaseTargets())('the latest visit read with the child ($name)', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.openDemo();
  });
  afterAll(() => database.close());

  it('answers "the last visit on or before a day" as the visits table does, for every child and day', async () => {
    const db = database.db;
    const [admin] = await db.select().from(staff).where(eq(staff.role, 'admin'));
    const actor = (await actorForStaff(db, admin!.id))!;
    const all = await db.select().from(children);
    const everyVisit = await db.select().from(visits);
    expect(everyVisit.length).toBeGreaterThan(1);
    expect(new Set(everyVisit.map((v) => v.childId)).size).toBeLessThan(all.length); // some children never visited
    let compared = 0;
    for (const { id } of all) {
      const days = everyVisit.filter((v) => v.childId === id).flatMap((v) => [addDays(v.visitedOn, -1), v.visitedOn, addDays(v.visitedOn, 1)]);
      for (const day of [...days, '2000-01-01', '2099-12-31']) {
        const child = (await childForActor(db, actor, id, null))!; // a fresh read each time: each day asked of the child's own read
        const [expected] = await db
          .select({ visitedOn: visits.visitedOn, riskAfter: visits.riskAfter, dimensions: visits.dimensions, guardianshipAgreement: visits.guardianshipAgreement })
          .from(visits)
          .where(and(eq(visits.childId, id), lte(visits.visitedOn, day)))
          .orderBy(desc(visits.visitedOn), desc(visits.id))
          .limit(1);
        expect(await lastVisitOf(db, child, day), `child ${id} on ${day}`).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(all.length * 2);
  });
});
