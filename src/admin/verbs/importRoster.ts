// `import-roster <file> [--apply]`: a dry run by default, printing what each row would do.
import { loadPolicy } from '../../db/policy.js';
import { todayIn } from '../../domain/dates.js';
import { applyRosterImport, countOutcomes, planRosterImport, RosterFileError, type RowReport } from '../../roster/import.js';
import { readTable, tableFormat, TableError } from '../../roster/table.js';
import { toCsv, toXlsx } from '../../roster/tableWriter.js';
import { parseVerbArgs } from '../args.js';
import { AdminError, UsageError, type Verb } from '../context.js';
import { EXIT_SOME_REJECTED } from '../exitCodes.js';

export const importRosterVerb: Verb = {
  name: 'import-roster',
  summary: 'import children and caseload assignments from a CSV or .xlsx roster (dry run unless --apply)',
  help: `Usage:
  npm run admin -- import-roster <file.csv|file.xlsx> [--apply] [--quiet] [--report <report.csv>]
  npm run admin -- import-roster --template <roster.xlsx|roster.csv>

Columns (Chinese or English headers, any order; only name and area code are required):
  姓名/name  性别/sex  出生日期/birth_date  身份证号/id_number  类别/categories (several, separated by 、 , ; /)
  风险等级/risk (红/橙/黄/绿)  村(社区)代码/area_code  住址/address  监护人/guardian  与儿童关系/guardian_relation
  监护人电话/guardian_phone  儿童主任/caseworker (a staff name or id)  最近走访日期/last_visit

Without --apply nothing is written: every row is reported as created, updated, unchanged or rejected (with the
reason). --apply writes all good rows in one transaction; rejected rows are skipped, fix them and import again.
Children are matched by ID number, else by name + birth date + area code, so importing the same file twice
changes nothing; a blank cell never erases what is on record. A new child's first visit is due today unless the
roster gives a last visit date. --quiet prints only the rejected rows and the totals; --report also writes the
row-by-row report as a CSV to fix the rejected rows in Excel. --template writes an empty roster with the headers.

Exit code: 0 all rows good, 3 some rows rejected, 1 the file could not be read, 2 wrong usage.`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, {
      apply: { type: 'boolean' },
      quiet: { type: 'boolean' },
      report: { type: 'string' },
      template: { type: 'string' },
    });
    const [file, ...extra] = positionals;
    if (values.template) {
      if (file) throw new UsageError('--template writes a new file; give no roster with it');
      await ctx.io.writeFile(values.template, await rosterTemplate(values.template));
      ctx.io.out(`Wrote an empty roster to ${values.template}.`);
      return 0;
    }
    if (!file) throw new UsageError('import-roster needs a file (.csv or .xlsx)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const apply = values.apply === true;
    const now = ctx.now();
    const today = todayIn(ctx.config.TZ_NAME, now);
    let table;
    try {
      table = await readTable(await ctx.io.readFile(file), tableFormat(file));
    } catch (error) {
      if (error instanceof TableError) throw new AdminError(error.message);
      throw error;
    }
    const run = async (conn: typeof ctx.db) => {
      const plan = await planRosterImport(conn, table, { today, policy: await loadPolicy(conn) });
      if (apply) await applyRosterImport(conn, plan, now);
      return plan;
    };
    let plan;
    try {
      // Plan and apply see the same snapshot: both run in the one transaction.
      plan = apply ? await ctx.db.transaction((tx) => run(tx as typeof ctx.db)) : await run(ctx.db);
    } catch (error) {
      if (error instanceof RosterFileError) throw new AdminError(error.message);
      throw error;
    }
    if (plan.ignoredHeaders.length > 0) ctx.io.out(`Ignored columns (not known): ${plan.ignoredHeaders.join(', ')}`);
    for (const row of plan.rows) if (!values.quiet || row.outcome === 'rejected') ctx.io.out(describe(row));
    const c = countOutcomes(plan);
    ctx.io.out(
      `${apply ? 'Applied' : 'Dry run — nothing written'}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected ` +
        `(新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}，拒绝 ${c.rejected})`,
    );
    if (!apply && c.created + c.updated > 0) ctx.io.out('Run again with --apply to write the good rows.');
    if (values.report) {
      const rows = plan.rows.map((r) => [r.line, r.outcome, r.name, r.maskedId, r.details.join('; ')]);
      await ctx.io.writeFile(values.report, toCsv(['line', 'outcome', 'name', 'id_number', 'details'], rows));
      ctx.io.out(`Row-by-row report written to ${values.report}.`);
    }
    return c.rejected > 0 ? EXIT_SOME_REJECTED : 0;
  },
};

function describe(row: RowReport): string {
  const who = [row.name || '(no name)', row.maskedId].filter(Boolean).join(' ');
  const details = row.details.length > 0 ? `: ${row.details.join('; ')}` : '';
  return `line ${row.line}: ${row.outcome} ${who}${details}`;
}

const templateHeader = ['姓名', '性别', '出生日期', '身份证号', '类别', '风险等级', '村(社区)代码', '住址', '监护人', '与儿童关系', '监护人电话', '儿童主任', '最近走访日期'];

async function rosterTemplate(file: string): Promise<Uint8Array | string> {
  const format = tableFormat(file);
  return format === 'csv' ? toCsv(templateHeader, []) : toXlsx(templateHeader, [], '儿童名册');
}
