// `areas import <file.csv>` and `areas list [--under <code>]`.
import { rosterText } from '../../i18n/sections/roster.js';
import { applyAreaImport, listAreas, planAreaImport } from '../../roster/areas.js';
import { readTable, tableFormat } from '../../roster/table.js';
import { noExtra, parseVerbArgs } from '../args.js';
import { AdminError, say, UsageError, type AdminContext, type Verb } from '../context.js';
import { EXIT_SOME_REJECTED } from '../exitCodes.js';
import { table } from '../format.js';

export const areasVerb: Verb = {
  name: 'areas',
  summary: 'areas.summary',
  help: 'areas.help',
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, { 'dry-run': { type: 'boolean' }, under: { type: 'string' } });
    const [action, file, ...extra] = positionals;
    noExtra(extra);
    if (action === 'import') {
      if (!file) throw new UsageError('areas.needFile');
      return importAreas(ctx, file, values['dry-run'] === true);
    }
    if (action === 'list') return listTree(ctx, values.under);
    if (action) throw new UsageError('usage.unknownAction', { action, actions: 'import, list' });
    throw new UsageError('usage.action', { verb: 'areas', actions: 'import, list' });
  },
};

async function importAreas(ctx: AdminContext, file: string, dryRun: boolean): Promise<number> {
  const plan = await planAreaImport(ctx.db, await readTable(await ctx.io.readFile(file), tableFormat(file)));
  const rejected = plan.results.filter((r) => r.outcome === 'rejected');
  for (const r of rejected) {
    const why = r.reason ? rosterText(ctx.locale, r.reason.key, r.reason.params) : '';
    ctx.io.out(say(ctx, 'areas.rejected', { line: r.line, code: r.code || say(ctx, 'areas.noCode'), name: r.name, reason: why }));
  }
  if (!dryRun && plan.writes.length > 0) await ctx.db.transaction(async (tx) => applyAreaImport(tx, plan));
  const count = (o: string) => plan.results.filter((r) => r.outcome === o).length;
  const totals = say(ctx, 'areas.totals', { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), rejected: rejected.length });
  ctx.io.out(`${dryRun ? say(ctx, 'areas.dryRun') : ''}${totals}`);
  return rejected.length > 0 ? EXIT_SOME_REJECTED : 0;
}

async function listTree(ctx: AdminContext, under: string | undefined): Promise<number> {
  const nodes = await listAreas(ctx.db, under?.trim());
  if (!nodes) throw new AdminError('area.unknown', { code: under ?? '' });
  if (nodes.length === 0) {
    ctx.io.out(say(ctx, 'areas.none'));
    return 0;
  }
  const baseDepth = Math.min(...nodes.map((n) => depth(n.path)));
  const rows = nodes.map((n) => ['  '.repeat(depth(n.path) - baseDepth) + n.code, n.name, say(ctx, `level.${n.level}`), n.children || '']);
  ctx.io.out(table([say(ctx, 'areas.col.code'), say(ctx, 'areas.col.name'), say(ctx, 'areas.col.level'), say(ctx, 'areas.col.children')], rows));
  return 0;
}

const depth = (path: string) => path.split('/').filter(Boolean).length;
