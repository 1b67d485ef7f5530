// `areas import <file.csv>` and `areas list [--under <code>]`.
import { applyAreaImport, AreaFileError, listAreas, planAreaImport } from '../../roster/areas.js';
import { readTable, tableFormat, TableError } from '../../roster/table.js';
import { parseVerbArgs } from '../args.js';
import { AdminError, UsageError, type AdminContext, type Verb } from '../context.js';
import { table } from '../format.js';
import { EXIT_SOME_REJECTED } from '../exitCodes.js';

export const areasVerb: Verb = {
  name: 'areas',
  summary: 'import the area tree from a CSV of division codes, or list it',
  help: `Usage:
  npm run admin -- areas import <file.csv|file.xlsx> [--dry-run]
  npm run admin -- areas list [--under <code>]

import  Reads columns code,name[,parent_code][,level] (or 代码,名称[,上级代码][,级别]). The level comes from the
        code's length — 2 province, 4 city, 6 county, 9 township, 12 village (12-digit codes padded with zeros
        are shortened) — unless a level column says otherwise. Existing areas are updated; re-importing the same
        file changes nothing. --dry-run shows what would change.
list    Prints the tree (or the subtree under <code>) with the number of children in each area.

Example:
  npm run admin -- areas import areas.csv
  npm run admin -- areas list --under 440103`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, { 'dry-run': { type: 'boolean' }, under: { type: 'string' } });
    const [action, file, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action === 'import') {
      if (!file) throw new UsageError('areas import needs a file');
      return importAreas(ctx, file, values['dry-run'] === true);
    }
    if (action === 'list') return listTree(ctx, values.under);
    throw new UsageError(action ? `unknown action "${action}" (import or list)` : 'areas needs an action: import or list');
  },
};

async function importAreas(ctx: AdminContext, file: string, dryRun: boolean): Promise<number> {
  let plan;
  try {
    const tableData = await readTable(await ctx.io.readFile(file), tableFormat(file));
    plan = await planAreaImport(ctx.db, tableData);
  } catch (error) {
    if (error instanceof TableError || error instanceof AreaFileError) throw new AdminError(error.message);
    throw error;
  }
  const rejected = plan.results.filter((r) => r.outcome === 'rejected');
  for (const r of rejected) ctx.io.out(`line ${r.line}: rejected ${r.code || '(no code)'} ${r.name}: ${r.reason}`);
  if (!dryRun && plan.writes.length > 0) await ctx.db.transaction(async (tx) => applyAreaImport(tx, plan));
  const count = (o: string) => plan.results.filter((r) => r.outcome === o).length;
  ctx.io.out(
    `${dryRun ? 'Dry run — nothing written. Would be: ' : ''}created ${count('created')}, updated ${count('updated')}, ` +
      `unchanged ${count('unchanged')}, rejected ${rejected.length} (新增 ${count('created')}，更新 ${count('updated')}，未变 ${count('unchanged')}，拒绝 ${rejected.length})`,
  );
  return rejected.length > 0 ? EXIT_SOME_REJECTED : 0;
}

async function listTree(ctx: AdminContext, under: string | undefined): Promise<number> {
  const nodes = await listAreas(ctx.db, under?.trim());
  if (!nodes) throw new AdminError(`unknown area code ${under}`);
  if (nodes.length === 0) {
    ctx.io.out('No areas yet. Import them with: npm run admin -- areas import <file.csv>');
    return 0;
  }
  const baseDepth = Math.min(...nodes.map((n) => depth(n.path)));
  const rows = nodes.map((n) => ['  '.repeat(depth(n.path) - baseDepth) + n.code, n.name, n.level, n.children || '']);
  ctx.io.out(table(['code', 'name', 'level', 'children'], rows));
  return 0;
}

const depth = (path: string) => path.split('/').filter(Boolean).length;
