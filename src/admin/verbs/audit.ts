// `audit --child <id>` / `audit --report <id>`: the trail of who did what, when, through which channel.
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { auditLog, children, reports, staff } from '../../db/schema.js';
import { parseVerbArgs, positiveInt } from '../args.js';
import { AdminError, UsageError, type Verb } from '../context.js';
import { formatDateTime, table } from '../format.js';

export const auditVerb: Verb = {
  name: 'audit',
  summary: "show a child's or a report's audit trail",
  help: `Usage:
  npm run admin -- audit --child <id>
  npm run admin -- audit --report <id>

Every read of a child's file, every change, every refusal, in order: when, who (staff id, name, role), through
which channel (telegram, feishu, local, cli), what. The log is append-only: the database refuses to change it.`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, { child: { type: 'string' }, report: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const childId = positiveInt(values.child, '--child');
    const reportId = positiveInt(values.report, '--report');
    if ((childId === undefined) === (reportId === undefined)) throw new UsageError('give exactly one of --child <id> or --report <id>');
    let where: SQL;
    if (childId !== undefined) {
      const [child] = await ctx.db.select({ name: children.name, status: children.status }).from(children).where(eq(children.id, childId));
      if (!child) throw new AdminError(`no child with id ${childId}`);
      ctx.io.out(`Audit trail of child ${childId} (${child.name}, ${child.status})`);
      where = eq(auditLog.childId, childId);
    } else {
      const [report] = await ctx.db.select({ ref: reports.ref }).from(reports).where(eq(reports.id, reportId!));
      if (!report) throw new AdminError(`no report with id ${reportId}`);
      ctx.io.out(`Audit trail of report ${reportId} (${report.ref})`);
      where = eq(auditLog.reportId, reportId!);
    }
    const rows = await ctx.db
      .select({ at: auditLog.at, actorId: auditLog.actorStaffId, actor: staff.name, role: staff.role, channel: auditLog.channel, action: auditLog.action, detail: auditLog.detail })
      .from(auditLog)
      .leftJoin(staff, eq(staff.id, auditLog.actorStaffId))
      .where(and(where))
      .orderBy(asc(auditLog.at), asc(auditLog.id));
    if (rows.length === 0) {
      ctx.io.out('(no entries)');
      return 0;
    }
    ctx.io.out(
      table(
        ['when', 'who', 'channel', 'action', 'detail'],
        rows.map((r) => [
          formatDateTime(r.at, ctx.config.TZ_NAME),
          r.actorId === null ? '(administrator)' : `${r.actorId} ${r.actor ?? '?'} (${r.role ?? '?'})`,
          r.channel ?? '',
          r.action,
          r.detail ? JSON.stringify(r.detail) : '',
        ]),
      ),
    );
    return 0;
  },
};
