// `staff list|deactivate|activate|reassign`, naming people by id or name.
import { eq } from 'drizzle-orm';
import { areas, type Role } from '../../db/schema.js';
import { deactivateStaff, listStaff, reactivateStaff, reassignCaseload } from '../../roster/staff.js';
import { noExtra, parseVerbArgs } from '../args.js';
import { AdminError, say, UsageError, type AdminContext, type Verb } from '../context.js';
import { table } from '../format.js';
import { findStaff } from '../staffByName.js';

const actions = 'list, deactivate, activate, reassign';

export const staffVerb: Verb = {
  name: 'staff',
  summary: 'staff.summary',
  help: 'staff.help',
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      area: { type: 'string' },
      all: { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
    });
    const [action, who, ...extra] = positionals;
    noExtra(extra);
    switch (action) {
      case 'list':
        return list(ctx, values.area, values.all === true);
      case 'deactivate':
      case 'activate': {
        if (who === undefined) throw new UsageError('staff.needId', { action });
        return setActive(ctx, (await findStaff(ctx, who)).id, action === 'activate');
      }
      case 'reassign': {
        if (values.from === undefined || values.to === undefined) throw new UsageError('staff.needFromTo');
        const from = await findStaff(ctx, values.from);
        const to = await findStaff(ctx, values.to);
        return reassign(ctx, from.id, to.id);
      }
      default:
        if (action) throw new UsageError('usage.unknownAction', { action, actions });
        throw new UsageError('usage.action', { verb: 'staff', actions });
    }
  },
};

async function list(ctx: AdminContext, areaCode: string | undefined, all: boolean): Promise<number> {
  let underPath: string | undefined;
  if (areaCode) {
    const [area] = await ctx.db.select({ path: areas.path }).from(areas).where(eq(areas.code, areaCode.trim()));
    if (!area) throw new AdminError('area.unknown', { code: areaCode });
    underPath = area.path;
  }
  const rows = await listStaff(ctx.db, { underPath, includeInactive: all });
  if (rows.length === 0) {
    ctx.io.out(say(ctx, 'staff.none'));
    return 0;
  }
  const col = (key: 'id' | 'name' | 'role' | 'area' | 'channels' | 'caseload' | 'active') => say(ctx, `staff.col.${key}`);
  ctx.io.out(
    table(
      [col('id'), col('name'), col('role'), col('area'), col('channels'), col('caseload'), ...(all ? [col('active')] : [])],
      rows.map((r) => [
        r.id,
        r.name,
        say(ctx, `role.${r.role as Role}`),
        `${r.areaName} ${r.areaCode}`,
        r.channels.join(',') || say(ctx, 'staff.notBound'),
        r.caseload,
        ...(all ? [say(ctx, r.active ? 'yes' : 'no')] : []),
      ]),
    ),
  );
  return 0;
}

async function setActive(ctx: AdminContext, staffId: number, active: boolean): Promise<number> {
  const now = ctx.now();
  const result = await ctx.db.transaction((tx) => (active ? reactivateStaff(tx, staffId, now) : deactivateStaff(tx, staffId, now)));
  if (!result.ok) {
    if (result.reason === 'unknown') throw new AdminError('staff.unknown', { id: staffId });
    throw new AdminError(active ? 'staff.already.active' : 'staff.already.inactive', { id: staffId });
  }
  if (active) ctx.io.out(say(ctx, 'staff.activated', { name: result.name, id: staffId }));
  else {
    ctx.io.out(say(ctx, 'staff.deactivated', { name: result.name, id: staffId }));
    if (result.caseload > 0) ctx.io.out(say(ctx, 'staff.stillAssigned', { count: result.caseload, id: staffId }));
  }
  return 0;
}

async function reassign(ctx: AdminContext, from: number, to: number): Promise<number> {
  const now = ctx.now();
  const result = await ctx.db.transaction((tx) => reassignCaseload(tx, from, to, now));
  if (!result.ok) {
    switch (result.reason) {
      case 'same':
        throw new AdminError('staff.reassign.same');
      case 'unknown-from':
        throw new AdminError('staff.unknown', { id: from });
      case 'unknown-to':
        throw new AdminError('staff.unknown', { id: to });
      case 'inactive-to':
        throw new AdminError('staff.reassign.inactiveTo', { id: to });
      case 'not-caseworker':
        throw new AdminError('staff.reassign.notCaseworker', { id: to });
    }
  }
  ctx.io.out(say(ctx, 'staff.moved', { count: result.moved, from, to }));
  return 0;
}
