// A staff member named on the command line by id or by name (exact, else part of the name); several matches
// become a pick-list.
import { asc, eq, like } from 'drizzle-orm';
import { areas, staff } from '../db/schema.js';
import { asId } from './args.js';
import { AdminError, say, type AdminContext } from './context.js';
import { containing, pickOne } from './pick.js';

export type StaffRecord = typeof staff.$inferSelect;

export async function findStaff(ctx: AdminContext, text: string): Promise<StaffRecord> {
  const id = asId(text);
  if (id !== undefined) {
    const [person] = await ctx.db.select().from(staff).where(eq(staff.id, id));
    if (!person) throw new AdminError('staff.unknown', { id });
    return person;
  }
  const name = text.normalize('NFKC').trim();
  const select = () => ctx.db.select({ person: staff, area: areas.name }).from(staff).innerJoin(areas, eq(areas.code, staff.areaCode));
  let found = await select().where(eq(staff.name, name)).orderBy(asc(staff.id));
  if (found.length === 0) found = await select().where(like(staff.name, containing(name))).orderBy(asc(staff.id));
  const chosen = await pickOne(ctx, name, found, ({ person, area }) =>
    say(ctx, 'staff.pickLabel', { name: person.name, id: person.id, role: say(ctx, `role.${person.role}`), area: `${area} ${person.areaCode}` }),
  );
  if (!chosen) throw new AdminError('staff.unknownName', { name });
  return chosen.person;
}
