// Overdue visits climb the area tree: overdue by more than ESCALATE_OVERDUE_DAYS, the nearest supervisors
// (level 0) have the child on their list; by more than twice that, the next level up (level 1). Each
// (child, due date, level) is recorded once; a visit logged moves the due date and so ends the escalation.
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { children, visitEscalations } from '../db/schema.js';
import { addDays, localDate } from './time.js';

export async function escalateOverdueVisits(db: Db, config: Config, now: Date): Promise<{ level0: number; level1: number }> {
  const today = localDate(now, config.TZ_NAME);
  const counts = { level0: 0, level1: 0 };
  for (const level of [0, 1] as const) {
    // Overdue by more than N days: due before today − N.
    const before = addDays(today, -config.ESCALATE_OVERDUE_DAYS * (level + 1));
    const rows = await db
      .insert(visitEscalations)
      .select(
        sql`select c.id, c.next_visit_due, ${level}::int, ${now.toISOString()}::timestamptz from ${children} c
            where c.status = 'active' and c.next_visit_due < ${before}::date`,
      )
      .onConflictDoNothing()
      .returning({ childId: visitEscalations.childId });
    counts[level === 0 ? 'level0' : 'level1'] = rows.length;
  }
  return counts;
}
