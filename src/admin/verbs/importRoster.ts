// `import-roster <file> [--apply]`: a dry run by default, printing what each row would do.
import { loadPolicy } from '../../db/policy.js';
import { todayIn } from '../../domain/dates.js';
import { rosterText, type Reason } from '../../i18n/sections/roster.js';
import { applyRosterImport, countOutcomes, planRosterImport, type RowReport } from '../../roster/import.js';
import { readTable, tableFormat } from '../../roster/table.js';
import { toCsv, toXlsx } from '../../roster/tableWriter.js';
import { noExtra, parseVerbArgs } from '../args.js';
import { say, UsageError, type AdminContext, type Verb } from '../context.js';
import { EXIT_SOME_REJECTED } from '../exitCodes.js';

export const importRosterVerb: Verb = {
  name: 'import-roster',
  summary: 'roster.summary',
  help: 'roster.help',
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      apply: { type: 'boolean' },
      quiet: { type: 'boolean' },
      report: { type: 'string' },
      template: { type: 'string' },
    });
    const [file, ...extra] = positionals;
    if (values.template) {
      if (file) throw new UsageError('roster.templateNoFile');
      await ctx.io.writeFile(values.template, await rosterTemplate(values.template));
      ctx.io.out(say(ctx, 'roster.template', { file: values.template }));
      return 0;
    }
    if (!file) throw new UsageError('roster.needFile');
    noExtra(extra);
    const apply = values.apply === true;
    const now = ctx.now();
    const today = todayIn(ctx.config.TZ_NAME, now);
    const table = await readTable(await ctx.io.readFile(file), tableFormat(file));
    const run = async (conn: typeof ctx.db) => {
      const plan = await planRosterImport(conn, table, { today, policy: await loadPolicy(conn) });
      if (apply) await applyRosterImport(conn, plan, now);
      return plan;
    };
    // Plan and apply see the same snapshot: both run in the one transaction.
    const plan = apply ? await ctx.db.transaction((tx) => run(tx as typeof ctx.db)) : await run(ctx.db);
    if (plan.ignoredHeaders.length > 0) ctx.io.out(say(ctx, 'roster.ignored', { headers: plan.ignoredHeaders.join(', ') }));
    for (const row of plan.rows) if (!values.quiet || row.outcome === 'rejected') ctx.io.out(describe(ctx, row));
    const c = countOutcomes(plan);
    ctx.io.out(say(ctx, apply ? 'roster.applied' : 'roster.dryRun') + say(ctx, 'roster.totals', { ...c }));
    if (!apply && c.created + c.updated > 0) ctx.io.out(say(ctx, 'roster.runApply'));
    if (values.report) {
      const rows = plan.rows.map((r) => [r.line, say(ctx, `roster.outcome.${r.outcome}`), r.name, r.maskedId, details(ctx, r.details)]);
      const header = (['line', 'outcome', 'name', 'id', 'details'] as const).map((k) => say(ctx, `roster.col.${k}`));
      await ctx.io.writeFile(values.report, toCsv(header, rows));
      ctx.io.out(say(ctx, 'roster.reportWritten', { file: values.report }));
    }
    return c.rejected > 0 ? EXIT_SOME_REJECTED : 0;
  },
};

const details = (ctx: AdminContext, reasons: Reason[]) => reasons.map((r) => rosterText(ctx.locale, r.key, r.params)).join(say(ctx, 'roster.separator'));

function describe(ctx: AdminContext, row: RowReport): string {
  const who = [row.name || say(ctx, 'roster.noName'), row.maskedId].filter(Boolean).join(' ');
  const text = details(ctx, row.details);
  return say(ctx, 'roster.row', { line: row.line, outcome: say(ctx, `roster.outcome.${row.outcome}`), who, details: text ? say(ctx, 'roster.colon') + text : '' });
}

const templateHeader = ['姓名', '性别', '出生日期', '身份证号', '类别', '风险等级', '村(社区)代码', '住址', '监护人', '与儿童关系', '监护人电话', '儿童主任', '最近走访日期'];

async function rosterTemplate(file: string): Promise<Uint8Array | string> {
  const format = tableFormat(file);
  return format === 'csv' ? toCsv(templateHeader, []) : toXlsx(templateHeader, [], '儿童名册');
}
