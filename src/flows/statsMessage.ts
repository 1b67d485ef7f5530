// The month's numbers as one chat message, readable on a phone: a headline, then for this month and last month the
// area's totals and one line per area below it (the export has every column of every row).
import { bold, message, rich, type OutMessage, type Rich } from '../bot/message.js';
import { childCategories, riskLevels } from '../domain/categories.js';
import { formatDay } from '../domain/dates.js';
import { monthLabel, type MonthSpan } from '../domain/months.js';
import type { AreaStats, StatsFigures, StatsRow } from '../db/monthStats.js';
import { categoryNames } from '../i18n/domain.js';
import { statsText } from '../i18n/sections/stats.js';
import type { Locale } from '../i18n/translator.js';

/** Beyond this many rows a month's list stops (a county of 30 townships still fits a Telegram message). */
export const SHOWN_ROWS = 30;

export interface StatsMonth {
  span: MonthSpan;
  stats: AreaStats;
}

/** 7 of 12 → 58%; nothing to divide → —. */
export function share(part: number, whole: number, locale: Locale): string {
  return whole === 0 ? statsText(locale, 'noPercent') : `${Math.round((part / whole) * 100)}%`;
}

export function riskList(f: StatsFigures, locale: Locale): string {
  return [...riskLevels].reverse().map((r) => `${statsText(locale, `risk.${r}`)} ${f.byRisk[r]}`).join(' · ');
}

export function rowName(row: StatsRow, locale: Locale): string {
  return row.own ? statsText(locale, 'ownLevel', { name: row.name }) : row.name;
}

export function statsMessage(input: { locale: Locale; area: string; today: string; ackMinutes: number; months: StatsMonth[] }): OutMessage {
  const { locale, today } = input;
  const overdue = input.months[0]?.stats.total.overdueNow ?? 0;
  const text: Rich = rich(bold(statsText(locale, 'title', { area: input.area })), '\n', statsText(locale, 'asOf', { date: formatDay(today, locale, { withYear: true }), overdue }));
  for (const { span, stats } of input.months) {
    const t = stats.total;
    const label = monthLabel(span.month, locale);
    const heading = span.running ? statsText(locale, 'monthRunning', { month: label, day: Number(span.through.slice(8)) }) : label;
    const categories = childCategories.filter((c) => t.byCategory[c] > 0).map((c) => `${categoryNames[locale][c]} ${t.byCategory[c]}`);
    text.push(
      ...rich(
        '\n\n',
        bold(heading),
        '\n',
        statsText(locale, 'children', { n: t.children }),
        '\n',
        statsText(locale, 'policy', { within: t.withinPolicy, percent: share(t.withinPolicy, t.children, locale) }),
        '\n',
        statsText(locale, 'visits', { visits: t.visits, children: t.childrenVisited }),
        '\n',
        statsText(locale, 'reports', { filed: t.reportsFiled, acked: t.reportsAckedInTime, closed: t.reportsClosed, minutes: input.ackMinutes }),
        '\n',
        statsText(locale, 'risk', { list: riskList(t, locale) }),
        categories.length > 0 && `\n${statsText(locale, 'categories', { list: categories.join(' · ') })}`,
      ),
    );
    if (stats.rows.length === 0) continue;
    const level = stats.rows.find((r) => !r.own)?.level;
    text.push(...rich('\n', statsText(locale, level === 'township' ? 'rows.township' : level === 'village' ? 'rows.village' : 'rows.other')));
    for (const row of stats.rows.slice(0, SHOWN_ROWS)) {
      const f = row.figures;
      const line = statsText(locale, 'row', { name: rowName(row, locale), children: f.children, visits: f.visits, percent: share(f.withinPolicy, f.children, locale), filed: f.reportsFiled });
      // "Overdue now" belongs to today: it is shown with the running month only.
      text.push(...rich('\n', line, span.running && statsText(locale, 'rowOverdue', { n: f.overdueNow }), '\n', statsText(locale, 'rowRisk', { list: riskList(f, locale) })));
    }
    if (stats.rows.length > SHOWN_ROWS) text.push(...rich('\n', statsText(locale, 'more', { n: stats.rows.length - SHOWN_ROWS })));
  }
  return message(text);
}
