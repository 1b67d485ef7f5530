// `policy list|set`: the visit policy table (category × risk level → days between visits).
import { childCategories, isChildCategory, riskLevels } from '../../domain/categories.js';
import { loadPolicy, setPolicy } from '../../db/policy.js';
import { audit } from '../../db/audit.js';
import { categoryNames, nameOf, riskNames } from '../../i18n/domain.js';
import type { Locale } from '../../i18n/translator.js';
import { noExtra, oneOf, parseVerbArgs, positiveInt } from '../args.js';
import { say, UsageError, type AdminContext, type Verb } from '../context.js';
import { table } from '../format.js';

/** What the administrator types (the code) with what it means in their language. */
const categoryList = (locale: Locale) => childCategories.map((c) => `${c} ${nameOf(categoryNames, locale, c)}`).join(', ');
const categoryLabel = (ctx: AdminContext, category: string) =>
  category === '*' ? `* ${say(ctx, 'policy.everyChild')}` : `${category} ${nameOf(categoryNames, ctx.locale, category)}`;

export const policyVerb: Verb = {
  name: 'policy',
  summary: 'policy.summary',
  help: 'policy.help',
  helpParams: (locale) => ({ categories: categoryList(locale) }),
  async run(args, ctx) {
    const { values, positionals } = parseVerbArgs(args, { category: { type: 'string' }, risk: { type: 'string' }, days: { type: 'string' } });
    const [action, ...extra] = positionals;
    noExtra(extra);
    if (action === 'list') {
      const rows = (await loadPolicy(ctx.db)).sort((a, b) =>
        a.category === b.category ? riskLevels.indexOf(b.riskLevel) - riskLevels.indexOf(a.riskLevel) : a.category === '*' ? -1 : b.category === '*' ? 1 : a.category.localeCompare(b.category),
      );
      ctx.io.out(
        table(
          [say(ctx, 'policy.col.category'), say(ctx, 'policy.col.risk'), say(ctx, 'policy.col.days')],
          rows.map((r) => [categoryLabel(ctx, r.category), `${r.riskLevel} ${nameOf(riskNames, ctx.locale, r.riskLevel)}`, r.intervalDays]),
        ),
      );
      return 0;
    }
    if (action === 'set') {
      const category = values.category?.trim();
      if (!category) throw new UsageError('policy.missingCategory');
      if (category !== '*' && !isChildCategory(category)) throw new UsageError('policy.unknownCategory', { category, categories: categoryList(ctx.locale) });
      const risk = oneOf(values.risk, riskLevels, 'risk');
      if (!risk) throw new UsageError('usage.missing', { option: 'risk' });
      const days = positiveInt(values.days, '--days');
      if (days === undefined) throw new UsageError('usage.missing', { option: 'days' });
      if (days > 366) throw new UsageError('policy.daysMax');
      await ctx.db.transaction(async (tx) => {
        await setPolicy(tx, { category, riskLevel: risk, intervalDays: days });
        await audit(tx, { actorStaffId: null, channel: 'cli', action: 'policy.set', detail: { category, risk, days }, at: ctx.now() });
      });
      ctx.io.out(say(ctx, 'policy.set', { category: categoryLabel(ctx, category), risk: nameOf(riskNames, ctx.locale, risk), days }));
      return 0;
    }
    if (action) throw new UsageError('usage.unknownAction', { action, actions: 'list, set' });
    throw new UsageError('usage.action', { verb: 'policy', actions: 'list, set' });
  },
};
