// `policy list|set`: the visit policy table (category × risk level → days between visits).
import { childCategories, isChildCategory, riskLevels } from '../../domain/categories.js';
import { loadPolicy, setPolicy } from '../../db/policy.js';
import { audit } from '../../db/audit.js';
import { oneOf, parseVerbArgs, positiveInt } from '../args.js';
import { UsageError, type Verb } from '../context.js';
import { table } from '../format.js';

export const policyVerb: Verb = {
  name: 'policy',
  summary: 'show or change how many days may pass between visits',
  help: `Usage:
  npm run admin -- policy list
  npm run admin -- policy set --category <category|*> --risk <red|orange|yellow|green> --days <n>

The row for category * applies to every child; a category's own row applies to children of that category
(a child with several categories gets the shortest interval).
Categories: ${childCategories.join(', ')}

Example:
  npm run admin -- policy set --category left_behind --risk green --days 30`,
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, { category: { type: 'string' }, risk: { type: 'string' }, days: { type: 'string' } });
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action === 'list') {
      const rows = (await loadPolicy(ctx.db)).sort((a, b) =>
        a.category === b.category ? riskLevels.indexOf(b.riskLevel) - riskLevels.indexOf(a.riskLevel) : a.category === '*' ? -1 : b.category === '*' ? 1 : a.category.localeCompare(b.category),
      );
      ctx.io.out(table(['category', 'risk', 'days'], rows.map((r) => [r.category, r.riskLevel, r.intervalDays])));
      return 0;
    }
    if (action === 'set') {
      const category = values.category?.trim();
      if (!category) throw new UsageError('missing --category (a category, or * for every child)');
      if (category !== '*' && !isChildCategory(category)) throw new UsageError(`unknown category "${category}"; one of: *, ${childCategories.join(', ')}`);
      const risk = oneOf(values.risk, riskLevels, 'risk');
      if (!risk) throw new UsageError('missing --risk');
      const days = positiveInt(values.days, '--days');
      if (days === undefined) throw new UsageError('missing --days');
      if (days > 366) throw new UsageError('--days may be at most 366');
      await ctx.db.transaction(async (tx) => {
        await setPolicy(tx, { category, riskLevel: risk, intervalDays: days });
        await audit(tx, { actorStaffId: null, channel: 'cli', action: 'policy.set', detail: { category, risk, days }, at: ctx.now() });
      });
      ctx.io.out(`Visits for ${category === '*' ? 'every child' : category} at ${risk} risk: every ${days} days.`);
      return 0;
    }
    throw new UsageError(action ? `unknown action "${action}" (list or set)` : 'policy needs an action: list or set');
  },
};
