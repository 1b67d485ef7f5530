// /stats: the month's numbers for a supervisor's or admin's area — this month so far and last month — read in SQL
// under the data layer's scoping (src/db/monthStats.ts). A read-only command: it never touches a draft in progress.
import { eq } from 'drizzle-orm';
import { audit } from '../db/audit.js';
import { areaStats } from '../db/monthStats.js';
import { areas } from '../db/schema.js';
import { monthOf, monthSpan, previousMonth } from '../domain/months.js';
import { statsText } from '../i18n/sections/stats.js';
import { statsMessage, type StatsMonth } from './statsMessage.js';
import type { Flow } from './types.js';

export const statsFlow: Flow = {
  name: 'stats',
  title: { 'zh-CN': '月度统计', en: 'Monthly figures' },
  confirm: false,
  roles: ['supervisor', 'admin'],
  refusal: (locale) => statsText(locale, 'refused'),
  steps: [],
  async commit(ctx) {
    const [area] = await ctx.tx.select().from(areas).where(eq(areas.code, ctx.actor.areaCode));
    if (!area) throw new Error(`staff ${ctx.actor.staffId} has no area ${ctx.actor.areaCode}`);
    const thisMonth = monthOf(ctx.today);
    const months: StatsMonth[] = [];
    for (const month of [thisMonth, previousMonth(thisMonth)]) {
      const span = monthSpan(month, ctx.today)!;
      const stats = await areaStats(ctx.tx, {
        area,
        from: span.from,
        through: span.through,
        today: ctx.today,
        timeZone: ctx.config.TZ_NAME,
        ackMinutes: ctx.config.REPORT_ACK_MINUTES,
        actor: ctx.actor,
      });
      months.push({ span, stats });
    }
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'stats.read', detail: { area: area.code, months: months.map((m) => m.span.month) } });
    return [statsMessage({ locale: ctx.locale, area: area.name, today: ctx.today, ackMinutes: ctx.config.REPORT_ACK_MINUTES, months })];
  },
};
