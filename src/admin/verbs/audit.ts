// `audit --child <id|name>` / `audit --report <id|ref>`: the trail of who did what, when, through which channel.
import { and, asc, eq, like, type SQL } from 'drizzle-orm';
import { auditLog, areas, children, reports, staff } from '../../db/schema.js';
import { peopleText } from '../../i18n/sections/people.js';
import { asId, noExtra, parseVerbArgs } from '../args.js';
import { AdminError, say, UsageError, type AdminContext, type Verb } from '../context.js';
import { formatDateTime, table } from '../format.js';
import { containing, pickOne } from '../pick.js';

export const auditVerb: Verb = {
  name: 'audit',
  summary: 'audit.summary',
  help: 'audit.help',
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, { child: { type: 'string' }, report: { type: 'string' } });
    noExtra(positionals);
    if ((values.child === undefined) === (values.report === undefined)) throw new UsageError('audit.exactlyOne');
    let where: SQL;
    if (values.child !== undefined) {
      const child = await findChild(ctx, values.child);
      ctx.io.out(say(ctx, 'audit.ofChild', { id: child.id, name: child.name, status: peopleText(ctx.locale, `status.${child.status}`) }));
      where = eq(auditLog.childId, child.id);
    } else {
      const text = values.report!.normalize('NFKC').trim();
      const id = asId(text);
      const [report] = await ctx.db
        .select({ id: reports.id, ref: reports.ref })
        .from(reports)
        .where(id !== undefined ? eq(reports.id, id) : eq(reports.ref, text.toUpperCase()));
      if (!report) throw new AdminError('audit.noReport', { id: text });
      ctx.io.out(say(ctx, 'audit.ofReport', { id: report.id, ref: report.ref }));
      where = eq(auditLog.reportId, report.id);
    }
    const rows = await ctx.db
      .select({ at: auditLog.at, actorId: auditLog.actorStaffId, actor: staff.name, role: staff.role, channel: auditLog.channel, action: auditLog.action, detail: auditLog.detail })
      .from(auditLog)
      .leftJoin(staff, eq(staff.id, auditLog.actorStaffId))
      .where(and(where))
      .orderBy(asc(auditLog.at), asc(auditLog.id));
    if (rows.length === 0) {
      ctx.io.out(say(ctx, 'audit.empty'));
      return 0;
    }
    const col = (key: 'when' | 'who' | 'channel' | 'action' | 'detail') => say(ctx, `audit.col.${key}`);
    ctx.io.out(
      table(
        [col('when'), col('who'), col('channel'), col('action'), col('detail')],
        rows.map((r) => [
          formatDateTime(r.at, ctx.config.TZ_NAME),
          r.actorId === null ? say(ctx, 'audit.administrator') : `${r.actorId} ${r.actor ?? '?'} (${r.role ? say(ctx, `role.${r.role}`) : '?'})`,
          r.channel ?? '',
          r.action,
          r.detail ? JSON.stringify(r.detail) : '',
        ]),
      ),
    );
    return 0;
  },
};

/** A child by id, or by name (exact, else part of it); namesakes are listed with birth date and village. */
async function findChild(ctx: AdminContext, text: string) {
  const id = asId(text);
  const select = () =>
    ctx.db
      .select({ id: children.id, name: children.name, status: children.status, birth: children.birthDate, area: areas.name })
      .from(children)
      .innerJoin(areas, eq(areas.code, children.areaCode));
  if (id !== undefined) {
    const [child] = await select().where(eq(children.id, id));
    if (!child) throw new AdminError('audit.noChild', { id });
    return child;
  }
  const name = text.normalize('NFKC').trim();
  let found = await select().where(eq(children.name, name)).orderBy(asc(children.id));
  if (found.length === 0) found = await select().where(like(children.name, containing(name))).orderBy(asc(children.id));
  const chosen = await pickOne(ctx, name, found, (c) => say(ctx, 'audit.childPick', { name: c.name, id: c.id, birth: c.birth ?? '?', area: c.area }));
  if (!chosen) throw new AdminError('audit.noChildNamed', { name });
  return chosen;
}
