// `invite`: a one-time code that binds a messenger account to a (new or existing) staff record.
import { eq } from 'drizzle-orm';
import { audit } from '../../db/audit.js';
import { createInvite } from '../../db/invites.js';
import { areas, staff, type Role } from '../../db/schema.js';
import { oneOf, parseVerbArgs, positiveInt } from '../args.js';
import { AdminError, UsageError, type AdminContext, type Verb } from '../context.js';
import { formatDateTime } from '../format.js';

const roles = ['caseworker', 'supervisor', 'admin'] as const satisfies readonly Role[];

export const inviteVerb: Verb = {
  name: 'invite',
  summary: 'create a one-time invite code for a caseworker, supervisor or admin',
  help: `Usage:
  npm run admin -- invite --role caseworker|supervisor|admin --area <code> [--name <name>] [--days 7]
  npm run admin -- invite --staff <id> [--days 7]

Prints a one-time code (stored only as a hash) that the person sends to the bot — on Telegram the printed link
does it in one tap. The code expires after --days (default 7, at most 90).
  --role, --area  the new person's role and the area they work in (a village for a caseworker, a township
                  or county for a supervisor)
  --name          their name as colleagues know it; their staff record is created at once (so the roster can
                  name them as caseworker before they join). Without it, the record is made when the code is
                  used, with their messenger name.
  --staff <id>    bind a messenger account to an existing staff record instead (a new phone, a second channel)

Example:
  npm run admin -- invite --role caseworker --area 440103001001 --name 李梅`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      role: { type: 'string' },
      area: { type: 'string' },
      name: { type: 'string' },
      staff: { type: 'string' },
      days: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const days = positiveInt(values.days, '--days') ?? 7;
    if (days > 90) throw new UsageError('--days may be at most 90');
    const staffId = positiveInt(values.staff, '--staff');
    let role = oneOf(values.role, roles, 'role');
    let areaCode = values.area?.normalize('NFKC').trim();
    let name = values.name?.trim() || undefined;
    if (staffId !== undefined) {
      const [person] = await ctx.db.select().from(staff).where(eq(staff.id, staffId));
      if (!person) throw new AdminError(`no staff member with id ${staffId}`);
      if (!person.active) throw new AdminError(`staff member ${staffId} (${person.name}) is deactivated`);
      if ((role && role !== person.role) || (areaCode && areaCode !== person.areaCode)) {
        throw new UsageError('--staff binds an existing record: leave out --role and --area (they come from the record)');
      }
      role = person.role;
      areaCode = person.areaCode;
      name = person.name;
    } else {
      if (!role) throw new UsageError('missing --role (caseworker, supervisor or admin)');
      if (!areaCode) throw new UsageError('missing --area (the area code the person works in)');
    }
    const [area] = await ctx.db.select().from(areas).where(eq(areas.code, areaCode!));
    if (!area) throw new AdminError(`unknown area code ${areaCode}: see npm run admin -- areas list`);
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
    const who = [name, role, `${area.name} (${area.code})`].filter(Boolean).join(', ');
    ctx.io.out(`Invite for ${who}${invite.staffId !== undefined ? ` — staff id ${invite.staffId}` : ''}`);
    ctx.io.out(`Code (邀请码): ${invite.code}`);
    ctx.io.out(`Valid until ${formatDateTime(invite.expiresAt, ctx.config.TZ_NAME)} (${ctx.config.TZ_NAME}); it works once.`);
    for (const line of await howToRedeem(ctx, invite.code)) ctx.io.out(line);
    return 0;
  },
};

async function howToRedeem(ctx: AdminContext, code: string): Promise<string[]> {
  const lines: string[] = [];
  if (ctx.config.TELEGRAM_BOT_TOKEN) {
    const username = await telegramBotUsername(ctx.config.TELEGRAM_BOT_TOKEN, ctx.config.TELEGRAM_API_ROOT);
    lines.push(
      username
        ? `Telegram: open https://t.me/${username}?start=${code}`
        : `Telegram: send the bot the message  /start ${code}  (the bot's name could not be fetched just now)`,
    );
  }
  if (ctx.config.feishuEnabled) lines.push(`Feishu/Lark: send the bot the code ${code} in a private chat`);
  if (ctx.config.localChat || lines.length === 0) lines.push(`Local chat: open the chat page and send ${code}`);
  return lines;
}

/** The bot's @username through the real Bot API (getMe); undefined when Telegram cannot be reached. */
async function telegramBotUsername(token: string, apiRoot: string | undefined): Promise<string | undefined> {
  try {
    const { Api } = await import('grammy');
    const api = new Api(token, { ...(apiRoot ? { apiRoot } : {}), timeoutSeconds: 5 });
    const me = await api.getMe();
    return me.username;
  } catch {
    return undefined;
  }
}
