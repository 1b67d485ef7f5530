// `export visits|reports|children --area <code> [--from] [--to] --format csv|xlsx [--out file] [--full-id]`, and
// `export stats [--month YYYY-MM]` (src/admin/verbs/exportStats.ts).
import { eq } from 'drizzle-orm';
import { actorForStaff, type Actor } from '../../db/actor.js';
import { auditLog, areas } from '../../db/schema.js';
import { buildExport, type ExportKind } from '../../roster/export.js';
import { toCsv, toXlsx } from '../../roster/tableWriter.js';
import { isoDate, noExtra, oneOf, parseVerbArgs, positiveInt, requiredOption } from '../args.js';
import { AdminError, say, UsageError, type AdminContext, type Verb } from '../context.js';
import { scopeForExport } from '../scope.js';
import { exportStats } from './exportStats.js';

const kinds = ['children', 'visits', 'reports'] as const satisfies readonly ExportKind[];

export const exportVerb: Verb = {
  name: 'export',
  summary: 'export.summary',
  help: 'export.help',
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      area: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'full-id': { type: 'boolean' },
      as: { type: 'string' },
      month: { type: 'string' },
    });
    const [kindText, ...extra] = positionals;
    noExtra(extra);
    if (kindText === 'stats') {
      for (const option of ['from', 'to', 'full-id'] as const) if (values[option] !== undefined) throw new UsageError('usage.unknownOption', { option: `--${option}` });
      return exportStats({ month: values.month, area: values.area, as: values.as, format: values.format, out: values.out }, ctx);
    }
    if (values.month !== undefined) throw new UsageError('usage.unknownOption', { option: '--month' });
    if (kindText === undefined) throw new UsageError('export.what', { kinds: [...kinds, 'stats'].join(', ') });
    const kind = oneOf(kindText, [...kinds, 'stats'], 'what to export') as ExportKind;
    const areaCode = requiredOption(values.area, 'area').normalize('NFKC');
    const format = oneOf(values.format, ['csv', 'xlsx'] as const, 'format');
    if (!format) throw new UsageError('export.missingFormat');
    if (format === 'xlsx' && !values.out) throw new UsageError('export.xlsxNeedsOut');
    const from = isoDate(values.from, 'from');
    const to = isoDate(values.to, 'to');
    if (from && to && from > to) throw new UsageError('export.fromAfterTo', { from, to });

    const [area] = await ctx.db.select().from(areas).where(eq(areas.code, areaCode));
    if (!area) throw new AdminError('area.unknown', { code: areaCode });
    const actor = await exportActor(ctx, values.as, area);
    const isAdmin = actor === undefined || actor.role === 'admin';
    if (values['full-id'] && !isAdmin) throw new AdminError('export.fullIdAdminOnly');

    const now = ctx.now();
    const result = await buildExport(ctx.db, {
      kind,
      areaPath: area.path,
      from,
      to,
      fullId: values['full-id'] === true,
      showReporter: isAdmin,
      locale: ctx.locale,
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
    const data = format === 'csv' ? toCsv(result.header, result.rows) : await toXlsx(result.header, result.rows, say(ctx, `export.kind.${kind}`));
    if (values.out) {
      await ctx.io.writeFile(values.out, data);
      ctx.io.err(say(ctx, values['full-id'] ? 'export.doneFullId' : 'export.done', { count: result.rows.length, kind: say(ctx, `export.kind.${kind}`), out: values.out }));
    } else ctx.io.out(typeof data === 'string' ? data.replace(/\r\n$/, '') : '');
    return 0;
  },
};

/** `--as <staff id>`: the export made with that person's rights, refused outside them. */
export async function exportActor(ctx: AdminContext, asText: string | undefined, area: { code: string; path: string }): Promise<Actor | undefined> {
  const asId = positiveInt(asText, '--as');
  if (asId === undefined) return undefined;
  const actor = await actorForStaff(ctx.db, asId);
  if (!actor) throw new AdminError('export.noStaff', { id: asId });
  if (actor.role === 'caseworker') throw new AdminError('export.caseworker');
  if (actor.role === 'supervisor' && !area.path.startsWith(actor.areaPath)) throw new AdminError('export.outside', { area: area.code, name: actor.name, own: actor.areaCode });
  return actor;
}
