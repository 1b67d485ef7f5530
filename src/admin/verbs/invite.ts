// `invite`: a one-time code that binds a messenger account to a (new or existing) staff record.
import { eq } from 'drizzle-orm';
import { audit } from '../../db/audit.js';
import { createInvite, revokeInvites } from '../../db/invites.js';
import { areas, staff, type Role } from '../../db/schema.js';
import { noExtra, oneOf, parseVerbArgs, positiveInt } from '../args.js';
import { AdminError, say, UsageError, type AdminContext, type Verb } from '../context.js';
import { formatDateTime } from '../format.js';
import { redeemLinks } from '../redeemLinks.js';
import { findStaff } from '../staffByName.js';
import { inviteRoster } from './inviteRoster.js';

export const roles = ['caseworker', 'supervisor', 'admin'] as const satisfies readonly Role[];
export const DEFAULT_INVITE_DAYS = 14;
export const MAX_INVITE_DAYS = 90;

export function inviteDays(value: string | undefined): number {
  const days = positiveInt(value, '--days') ?? DEFAULT_INVITE_DAYS;
  if (days > MAX_INVITE_DAYS) throw new UsageError('invite.daysMax');
  return days;
}

export const inviteVerb: Verb = {
  name: 'invite',
  summary: 'invite.summary',
  help: 'invite.help',
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      role: { type: 'string' },
      area: { type: 'string' },
      name: { type: 'string' },
      staff: { type: 'string' },
      days: { type: 'string' },
      roster: { type: 'string' },
      apply: { type: 'boolean' },
      out: { type: 'string' },
      revoke: { type: 'string' },
    });
    noExtra(positionals);
    const days = inviteDays(values.days);
    if (values.revoke !== undefined) return revoke(ctx, values.revoke);
    if (values.roster !== undefined) {
      if (values.role || values.area || values.name || values.staff) throw new UsageError('invite.rosterNeedsNoRole');
      if (values.apply && !values.out) throw new UsageError('invite.sheetNeedsOut');
      return inviteRoster(ctx, values.roster, { days, apply: values.apply === true, out: values.out });
    }
    let role = oneOf(values.role, roles, 'role');
    let areaCode = values.area?.normalize('NFKC').trim();
    let name = values.name?.trim() || undefined;
    let staffId: number | undefined;
    if (values.staff !== undefined) {
      const person = await findStaff(ctx, values.staff);
      if (!person.active) throw new AdminError('invite.inactive', { id: person.id, name: person.name });
      if ((role && role !== person.role) || (areaCode && areaCode !== person.areaCode)) throw new UsageError('invite.staffFixed');
      ({ role, areaCode, name, id: staffId } = person);
    } else {
      if (!role) throw new UsageError('invite.missingRole');
      if (!areaCode) throw new UsageError('invite.missingArea');
    }
    const [area] = await ctx.db.select().from(areas).where(eq(areas.code, areaCode!));
    if (!area) throw new AdminError('area.unknown', { code: areaCode! });
    const now = ctx.now();
    const invite = await ctx.db.transaction(async (tx) => {
      // A named person gets their staff record now, so the roster can assign children to them before they join.
      let boundId = staffId;
      if (boundId === undefined && name) {
        const [created] = await tx.insert(staff).values({ name, role: role!, areaCode: area.code }).returning({ id: staff.id });
        boundId = created!.id;
      }
      const created = await createInvite(tx, { role: role!, areaCode: area.code, name, staffId: boundId, now, validDays: days });
      await audit(tx, { actorStaffId: null, channel: 'cli', action: 'invite.create', detail: { role, areaCode: area.code, staffId: boundId ?? null }, at: now });
      return { ...created, staffId: boundId };
    });
    const who = [name, say(ctx, `role.${role!}`), `${area.name} (${area.code})`, invite.staffId !== undefined ? say(ctx, 'invite.staffId', { id: invite.staffId }) : undefined];
    ctx.io.out(say(ctx, 'invite.for', { who: who.filter(Boolean).join(ctx.locale === 'en' ? ', ' : '，') }));
    ctx.io.out(say(ctx, 'invite.code', { code: invite.code }));
    if (invite.revoked > 0) ctx.io.out(say(ctx, 'invite.revoked', { count: invite.revoked }));
    ctx.io.out(say(ctx, 'invite.valid', { until: formatDateTime(invite.expiresAt, ctx.config.TZ_NAME), tz: ctx.config.TZ_NAME }));
    for (const line of await howToRedeem(ctx, invite.code)) ctx.io.out(line);
    return 0;
  },
};

async function howToRedeem(ctx: AdminContext, code: string): Promise<string[]> {
  const links = await redeemLinks(ctx.config);
  const lines: string[] = [];
  if (links.telegram) lines.push(links.telegram.username ? say(ctx, 'invite.telegram', { link: links.telegram.link(code) }) : say(ctx, 'invite.telegramNoName', { code }));
  if (links.feishu) lines.push(say(ctx, 'invite.feishu', { code }));
  if (links.local || lines.length === 0) lines.push(say(ctx, 'invite.local', { code }));
  return lines;
}

async function revoke(ctx: AdminContext, who: string): Promise<number> {
  const person = await findStaff(ctx, who);
  const now = ctx.now();
  const count = await ctx.db.transaction(async (tx) => {
    const revoked = await revokeInvites(tx, person.id, now);
    await audit(tx, { actorStaffId: null, channel: 'cli', action: 'invite.revoke', detail: { staffId: person.id, revoked }, at: now });
    return revoked;
  });
  ctx.io.out(say(ctx, 'invite.revokeDone', { name: person.name, id: person.id, count }));
  return 0;
}
