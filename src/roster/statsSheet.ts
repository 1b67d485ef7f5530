// The month's numbers as a spreadsheet a county files upward: a title line, Chinese (or English) headers, one row
// per area below the chosen one and a total; counts are numbers (so Excel can sum them), the share a percentage.
import { childCategories, riskLevels } from '../domain/categories.js';
import { monthLabel, type MonthSpan } from '../domain/months.js';
import type { AreaStats, StatsFigures } from '../db/monthStats.js';
import { categoryNames } from '../i18n/domain.js';
import { statsText } from '../i18n/sections/stats.js';
import type { Locale } from '../i18n/translator.js';
import { rowName } from '../flows/statsMessage.js';

export type StatsCell = string | number | null;

export function statsHeader(locale: Locale, ackMinutes: number): string[] {
  const t = (key: Parameters<typeof statsText>[1], params?: Record<string, string | number>) => statsText(locale, key, params);
  return [
    t('col.code'),
    t('col.name'),
    t('col.children'),
    ...childCategories.map((c) => categoryNames[locale][c]!),
    ...[...riskLevels].reverse().map((r) => t('col.risk', { level: t(`risk.${r}`) })),
    t('col.within'),
    t('col.withinShare'),
    t('col.visits'),
    t('col.childrenVisited'),
    t('col.overdue'),
    t('col.filed'),
    t('col.acked', { minutes: ackMinutes }),
    t('col.closed'),
  ];
}

function figureCells(f: StatsFigures): StatsCell[] {
  return [
    f.children,
    ...childCategories.map((c) => f.byCategory[c]),
    ...[...riskLevels].reverse().map((r) => f.byRisk[r]),
    f.withinPolicy,
    f.children === 0 ? null : f.withinPolicy / f.children,
    f.visits,
    f.childrenVisited,
    f.overdueNow,
    f.reportsFiled,
    f.reportsAckedInTime,
    f.reportsClosed,
  ];
}

export function statsRows(stats: AreaStats, locale: Locale): StatsCell[][] {
  return [
    ...stats.rows.map((row) => [row.code, rowName(row, locale), ...figureCells(row.figures)]),
    [null, statsText(locale, 'total'), ...figureCells(stats.total)],
  ];
}

const SHARE_COLUMN = 3 + childCategories.length + riskLevels.length + 2;

export async function statsWorkbook(input: { stats: AreaStats; span: MonthSpan; area: string; today: string; locale: Locale; ackMinutes: number }): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const { locale } = input;
  const header = statsHeader(locale, input.ackMinutes);
  const month = monthLabel(input.span.month, locale);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(month.slice(0, 31));
  sheet.addRow([statsText(locale, 'sheet.title', { area: input.area, month, from: input.span.from, through: input.span.through, today: input.today })]).font = { bold: true, size: 13 };
  sheet.mergeCells(1, 1, 1, header.length);
  const headerRow = sheet.addRow(header);
  headerRow.font = { bold: true };
  headerRow.alignment = { wrapText: true, vertical: 'middle' };
  const rows = statsRows(input.stats, locale);
  rows.forEach((cells, i) => {
    const row = sheet.addRow(cells.map((c) => c ?? ''));
    if (i === rows.length - 1) row.font = { bold: true };
  });
  // Codes stay text (a 12-digit code in a number cell would show as 4.40103E+11).
  sheet.getColumn(1).numFmt = '@';
  sheet.getColumn(SHARE_COLUMN).numFmt = '0.0%';
  sheet.columns.forEach((column, i) => {
    column.width = i === 1 ? 16 : Math.min(18, Math.max(8, (header[i] ?? '').length * 1.4));
  });
  sheet.views = [{ state: 'frozen', ySplit: 2, xSplit: 2 }];
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
