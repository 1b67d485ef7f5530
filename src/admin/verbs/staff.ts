// `staff list|deactivate|activate|reassign`.
import { eq } from 'drizzle-orm';
import { areas } from '../../db/schema.js';
import { deactivateStaff, listStaff, reactivateStaff, reassignCaseload } from '../../roster/staff.js';
import { parseVerbArgs, positiveInt } from '../args.js';
import { AdminError, UsageError, type AdminContext, type Verb } from '../context.js';
import { table } from '../format.js';

export const staffVerb: Verb = {
  name: 'staff',
  summary: 'list staff, deactivate or reactivate a person, move a caseload',
  help: `Usage:
  npm run admin -- staff list [--area <code>] [--all]
  npm run admin -- staff deactivate <id>
  npm run admin -- staff activate <id>
  npm run admin -- staff reassign --from <id> --to <id>

list        Everyone active in the area subtree (--all includes deactivated people), with their messenger
            channels and current caseload.
deactivate  Stops the person at once: none of their messenger accounts is recognised any more and their open
            form is cancelled. Their caseload stays assigned until you move it with reassign.
activate    Undoes a deactivation.
reassign    Moves the whole current caseload of --from to --to in one transaction (the history is kept).`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      area: { type: 'string' },
      all: { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
    });
    const [action, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    switch (action) {
      case 'list':
        return list(ctx, values.area, values.all === true);
      case 'deactivate':
      case 'activate': {
        const staffId = positiveInt(id, 'the staff id');
        if (staffId === undefined) throw new UsageError(`staff ${action} needs a staff id (see staff list)`);
        return setActive(ctx, staffId, action === 'activate');
      }
      case 'reassign': {
        const from = positiveInt(values.from, '--from');
        const to = positiveInt(values.to, '--to');
        if (from === undefined || to === undefined) throw new UsageError('staff reassign needs --from <id> and --to <id>');
        return reassign(ctx, from, to);
      }
      default:
        throw new UsageError(action ? `unknown action "${action}"` : 'staff needs an action: list, deactivate, activate or reassign');
    }
  },
};

async function list(ctx: AdminContext, areaCode: string | undefined, all: boolean): Promise<number> {
  let underPath: string | undefined;
  if (areaCode) {
    const [area] = await ctx.db.select({ path: areas.path }).from(areas).where(eq(areas.code, areaCode.trim()));
    if (!area) throw new AdminError(`unknown area code ${areaCode}`);
    underPath = area.path;
  }
  const rows = await listStaff(ctx.db, { underPath, includeInactive: all });
  if (rows.length === 0) {
    ctx.io.out('No staff yet. Create invites with: npm run admin -- invite --role … --area …');
    return 0;
  }
  ctx.io.out(
    table(
      ['id', 'name', 'role', 'area', 'channels', 'caseload', ...(all ? ['active'] : [])],
      rows.map((r) => [r.id, r.name, r.role, `${r.areaName} ${r.areaCode}`, r.channels.join(',') || '(not bound)', r.caseload, ...(all ? [r.active ? 'yes' : 'no'] : [])]),
    ),
  );
  return 0;
}

async function setActive(ctx: AdminContext, staffId: number, active: boolean): Promise<number> {
  const now = ctx.now();
  const result = await ctx.db.transaction((tx) => (active ? reactivateStaff(tx, staffId, now) : deactivateStaff(tx, staffId, now)));
  if (!result.ok) {
    throw new AdminError(result.reason === 'unknown' ? `no staff member with id ${staffId}` : `staff member ${staffId} is already ${active ? 'active' : 'deactivated'}`);
  }
  if (active) ctx.io.out(`${result.name} (${staffId}) is active again.`);
  else {
    ctx.io.out(`${result.name} (${staffId}) is deactivated: their messenger accounts no longer work (已停用).`);
    if (result.caseload > 0) {
      ctx.io.out(`${result.caseload} children are still assigned to them. Move them with: npm run admin -- staff reassign --from ${staffId} --to <id>`);
    }
  }
  return 0;
}

async function reassign(ctx: AdminContext, from: number, to: number): Promise<number> {
  const now = ctx.now();
  const result = await ctx.db.transaction((tx) => reassignCaseload(tx, from, to, now));
  if (!result.ok) {
    const reasons = {
      same: '--from and --to are the same person',
      'unknown-from': `no staff member with id ${from}`,
      'unknown-to': `no staff member with id ${to}`,
      'inactive-to': `staff member ${to} is deactivated`,
      'not-caseworker': `staff member ${to} is an admin; a caseload goes to a caseworker or supervisor`,
    } as const;
    throw new AdminError(reasons[result.reason]);
  }
  ctx.io.out(`Moved ${result.moved} children from staff ${from} to staff ${to} (已转移 ${result.moved} 名儿童).`);
  return 0;
}
