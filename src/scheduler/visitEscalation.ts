// Overdue visits climb the area tree: overdue by more than ESCALATE_OVERDUE_DAYS, the nearest supervisors
// (level 0) have the child on their list; by more than twice that, the next level up (level 1). Each
// (child, due date, level) is recorded once; a visit logged moves the due date and so ends the escalation.
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Actor } from '../db/actor.js';
import { pathUnder } from '../db/children.js';
import type { Conn, Db } from '../db/client.js';
import { areas, assignments, children, staff, visitEscalations } from '../db/schema.js';
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

export interface EscalatedChild {
  childId: number;
  name: string;
  village: string;
  dueOn: string;
  level: number;
  caseworker: string | null;
}

/**
 * A supervisor's (or admin's) escalation list: the children in their subtree overdue long enough to reach their
 * level — when k supervised areas lie between the child and them (as supervisorsFor counts), overdue by more than
 * (k + 1) × ESCALATE_OVERDUE_DAYS. Read from today's due dates, not from the escalation run's records: a child
 * imported long overdue, or whose due date moved after the run, is on the list the moment it is that late. Most
 * overdue first. For a command or menu entry; the digest applies the same rule.
 */
export async function escalationListFor(
  conn: Conn,
  actor: Pick<Actor, 'role' | 'areaPath'>,
  on: { today: string; afterDays: number },
  limit = 50,
): Promise<EscalatedChild[]> {
  if (actor.role === 'caseworker') return [];
  const prefix = actor.role === 'admin' ? '/' : actor.areaPath;
  const rows = await conn.execute(sql`
    with sup as (
      select distinct a.path from ${staff} s join ${areas} a on a.code = s.area_code
      where s.role = 'supervisor' and s.active and ${pathUnder(sql`a.path`, prefix)} and a.path <> ${prefix})
    select c.id as "childId", c.name, ca.name as village, c.next_visit_due::text as "dueOn", k.level, cw.name as caseworker
    from ${children} c
    join ${areas} ca on ca.code = c.area_code
    cross join lateral (select count(*)::int as level from sup where ${pathUnder(sql`ca.path`, sql`sup.path`)}) k
    left join ${assignments} asg on asg.child_id = c.id and asg.ended_at is null
    left join ${staff} cw on cw.id = asg.staff_id and cw.active
    where c.status = 'active' and ${pathUnder(sql`ca.path`, prefix)}
      and c.next_visit_due < ${on.today}::date - ${on.afterDays}::int * (k.level + 1)
    order by c.next_visit_due, c.id
    limit ${limit}`);
  return Array.isArray(rows) ? (rows as EscalatedChild[]) : ((rows as unknown as { rows: EscalatedChild[] }).rows ?? []);
}
