// Writes a table as CSV (UTF-8 with a BOM, so Excel and WPS open the Chinese correctly) or as an .xlsx sheet
// whose cells are all text (an 18-digit ID number in a number cell would lose its last digits).
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | null;

/**
 * A CSV cell has no type: a spreadsheet runs text beginning with `=`, `+`, `-`, `@` (or a tab or CR before one) as
 * a formula — `=HYPERLINK(…)` typed into a report would become a link that sends the sheet's data away. Such text
 * is written with a leading apostrophe, which spreadsheets read as "this is text". Numbers are left as they are.
 */
export function csvText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return '\ufeff' + stringify([header, ...rows].map((r) => r.map(csvText)), { record_delimiter: '\r\n' });
}

export async function toXlsx(header: string[], rows: Cell[][], sheetName: string): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row.map((c) => (c === null ? '' : String(c))));
  sheet.columns.forEach((column, i) => {
    column.numFmt = '@';
    column.width = Math.min(40, Math.max(8, ...[header[i] ?? '', ...rows.slice(0, 200).map((r) => String(r[i] ?? ''))].map((s) => s.length * 1.6)));
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
