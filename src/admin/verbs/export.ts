// `export visits|reports|children --area <code> [--from] [--to] --format csv|xlsx [--out file] [--full-id]`.
import { eq } from 'drizzle-orm';
import { actorForStaff, type Actor } from '../../db/actor.js';
import { auditLog, areas } from '../../db/schema.js';
import { buildExport, type ExportKind } from '../../roster/export.js';
import { toCsv, toXlsx } from '../../roster/tableWriter.js';
import { isoDate, oneOf, parseVerbArgs, positiveInt, requiredOption } from '../args.js';
import { AdminError, UsageError, type Verb } from '../context.js';
import { scopeForExport } from '../scope.js';

const kinds = ['children', 'visits', 'reports'] as const satisfies readonly ExportKind[];

export const exportVerb: Verb = {
  name: 'export',
  summary: 'export children, visits or reports of an area as CSV or .xlsx',
  help: `Usage:
  npm run admin -- export children|visits|reports --area <code> [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                  --format csv|xlsx [--out <file>] [--full-id] [--as <staff id>] [--lang zh-CN|en]

Exports the area and everything under it. --from/--to select visits by visit date, reports by the day they
were filed, children by the day they were registered. Without --out a CSV goes to standard output (an .xlsx
needs --out). ID and phone numbers are masked unless --full-id. --as <staff id> exports with that person's
rights (a supervisor: only their area; reporters are never named and --full-id is refused); without it the
export is the administrator's, which names each report's reporter. Every export is recorded in the audit log.

Example:
  npm run admin -- export visits --area 440103 --from 2026-01-01 --to 2026-06-30 --format xlsx --out visits.xlsx`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      area: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'full-id': { type: 'boolean' },
      as: { type: 'string' },
      lang: { type: 'string' },
    });
    const [kindText, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const kind = oneOf(kindText, kinds, 'what to export (children, visits or reports)');
    if (!kind) throw new UsageError('say what to export: children, visits or reports');
    const areaCode = requiredOption(values.area, 'area').normalize('NFKC');
    const format = oneOf(values.format, ['csv', 'xlsx'] as const, 'format');
    if (!format) throw new UsageError('missing --format (csv or xlsx)');
    if (format === 'xlsx' && !values.out) throw new UsageError('an .xlsx export needs --out <file>');
    const from = isoDate(values.from, 'from');
    const to = isoDate(values.to, 'to');
    if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    const locale = oneOf(values.lang, ['zh-CN', 'en'] as const, 'lang') ?? ctx.config.DEFAULT_LOCALE;
    const asId = positiveInt(values.as, '--as');

    const [area] = await ctx.db.select().from(areas).where(eq(areas.code, areaCode));
    if (!area) throw new AdminError(`unknown area code ${areaCode}`);
    let actor: Actor | undefined;
    if (asId !== undefined) {
      actor = await actorForStaff(ctx.db, asId);
      if (!actor) throw new AdminError(`no active staff member with id ${asId}`);
      if (actor.role === 'caseworker') throw new AdminError('exports are for supervisors and admins; a caseworker sees their caseload in the chat');
      if (actor.role === 'supervisor' && !area.path.startsWith(actor.areaPath)) {
        throw new AdminError(`area ${areaCode} is outside ${actor.name}'s area ${actor.areaCode}`);
      }
    }
    const isAdmin = actor === undefined || actor.role === 'admin';
    if (values['full-id'] && !isAdmin) throw new AdminError('--full-id is for the administrator\'s own export only');

    const now = ctx.now();
    const result = await buildExport(ctx.db, {
      kind,
      areaPath: area.path,
      from,
      to,
      fullId: values['full-id'] === true,
      showReporter: isAdmin,
      locale,
      timeZone: ctx.config.TZ_NAME,
      childCondition: actor ? scopeForExport(actor) : undefined,
    });
    await ctx.db.transaction(async (tx) => {
      const base = { actorStaffId: actor?.staffId ?? null, channel: 'cli', at: now };
      await tx.insert(auditLog).values({ ...base, action: `export.${kind}`, detail: { area: areaCode, from: from ?? null, to: to ?? null, fullId: values['full-id'] === true, rows: result.rows.length } });
      for (let i = 0; i < result.childIds.length; i += 1000) {
        await tx.insert(auditLog).values(result.childIds.slice(i, i + 1000).map((childId) => ({ ...base, action: 'child.export', childId, detail: { kind } })));
      }
    });
    const data = format === 'csv' ? toCsv(result.header, result.rows) : await toXlsx(result.header, result.rows, kind);
    if (values.out) {
      await ctx.io.writeFile(values.out, data);
      ctx.io.err(`Exported ${result.rows.length} ${kind} to ${values.out}${values['full-id'] ? ' with FULL ID numbers: keep the file safe' : ''}.`);
    } else ctx.io.out(typeof data === 'string' ? data.replace(/\r\n$/, '') : '');
    return 0;
  },
};
