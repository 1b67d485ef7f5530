// `export stats [--month YYYY-MM] [--area <code|name>] [--as <staff id>] [--format xlsx|csv] [--out <file>]`: the
// month's numbers of an area, one row per area below it and a total, from the same SQL as /stats in the chat.
import { asc, eq, like } from 'drizzle-orm';
import { areaStats } from '../../db/monthStats.js';
import { areas, auditLog } from '../../db/schema.js';
import { todayIn } from '../../domain/dates.js';
import { monthLabel, monthOf, monthSpan, previousMonth } from '../../domain/months.js';
import { toCsv } from '../../roster/tableWriter.js';
import { statsHeader, statsRows, statsWorkbook } from '../../roster/statsSheet.js';
import { actorForStaff } from '../../db/actor.js';
import { asId, isoMonth, oneOf, positiveInt } from '../args.js';
import { AdminError, say, type AdminContext } from '../context.js';
import { containing, pickOne } from '../pick.js';
import { exportActor } from './export.js';

type Area = typeof areas.$inferSelect;

export interface StatsOptions {
  month?: string;
  area?: string;
  as?: string;
  format?: string;
  out?: string;
}

export async function exportStats(options: StatsOptions, ctx: AdminContext): Promise<number> {
  const today = todayIn(ctx.config.TZ_NAME, ctx.now());
  // A county files last month's figures: that is the default.
  const month = isoMonth(options.month, 'month') ?? previousMonth(monthOf(today));
  const format = oneOf(options.format, ['xlsx', 'csv'] as const, 'format') ?? 'xlsx';
  const span = monthSpan(month, today);
  if (!span) throw new AdminError('export.stats.notBegun', { month: monthLabel(month, ctx.locale) });

  let area = options.area === undefined ? undefined : await areaNamed(ctx, options.area.normalize('NFKC').trim());
  if (area === undefined && options.as !== undefined) {
    // Without --area, a staff member's figures are those of their own area.
    const person = await actorForStaff(ctx.db, positiveInt(options.as, '--as')!);
    if (person) area = await areaNamed(ctx, person.areaCode);
  }
  area ??= await topArea(ctx);
  const asStaff = await exportActor(ctx, options.as, area);

  const stats = await areaStats(ctx.db, {
    area,
    from: span.from,
    through: span.through,
    today,
    timeZone: ctx.config.TZ_NAME,
    ackMinutes: ctx.config.REPORT_ACK_MINUTES,
    actor: asStaff?.role === 'admin' ? undefined : asStaff,
  });
  await ctx.db.insert(auditLog).values({
    actorStaffId: asStaff?.staffId ?? null,
    channel: 'cli',
    at: ctx.now(),
    action: 'export.stats',
    detail: { area: area.code, month, rows: stats.rows.length },
  });

  const out = options.out ?? (format === 'xlsx' ? say(ctx, 'export.stats.defaultOut', { area: area.name, code: area.code, month }) : undefined);
  const data =
    format === 'csv'
      ? toCsv(statsHeader(ctx.locale, ctx.config.REPORT_ACK_MINUTES), statsRows(stats, ctx.locale))
      : await statsWorkbook({ stats, span, area: area.name, today, locale: ctx.locale, ackMinutes: ctx.config.REPORT_ACK_MINUTES });
  if (out === undefined) {
    ctx.io.out(String(data).replace(/\r\n$/, ''));
    return 0;
  }
  await ctx.io.writeFile(out, data);
  ctx.io.err(say(ctx, 'export.stats.done', { area: area.name, month: monthLabel(month, ctx.locale), count: stats.rows.length, out }));
  return 0;
}

/** An area by its code, else by its name (exactly, else containing it; several → a pick-list). */
async function areaNamed(ctx: AdminContext, text: string): Promise<Area> {
  const [byCode] = await ctx.db.select().from(areas).where(eq(areas.code, text));
  if (byCode) return byCode;
  if (asId(text) !== undefined) throw new AdminError('area.unknown', { code: text });
  let found = await ctx.db.select().from(areas).where(eq(areas.name, text)).orderBy(asc(areas.path));
  if (found.length === 0) found = await ctx.db.select().from(areas).where(like(areas.name, containing(text))).orderBy(asc(areas.path));
  const chosen = await pickOne(ctx, text, found, (a) => `${a.name} ${a.code}`);
  if (!chosen) throw new AdminError('export.stats.unknownArea', { name: text });
  return chosen;
}

/** The area that holds everything: from the single top area down while an area has one area below it (the county). */
async function topArea(ctx: AdminContext): Promise<Area> {
  const all = await ctx.db.select().from(areas).orderBy(asc(areas.path));
  let level = all.filter((a) => a.parentCode === null || !all.some((b) => b.code === a.parentCode));
  if (level.length !== 1) throw new AdminError('export.stats.needsArea', { count: level.length });
  let area = level[0]!;
  while ((level = all.filter((a) => a.parentCode === area.code)).length === 1) area = level[0]!;
  return area;
}
