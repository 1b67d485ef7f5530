// Reads a spreadsheet (CSV in UTF-8 or GB18030, or the first sheet of an .xlsx) into header + rows of strings,
// keeping each row's line number so the import report can point at it.
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { reason, ReasonError } from '../i18n/sections/roster.js';

export interface TableRow {
  /** 1-based line (CSV) or row number (xlsx) in the file, as the administrator sees it in their editor. */
  line: number;
  cells: string[];
  /** Columns whose number was too long for a spreadsheet number cell: its last digits are already gone. */
  lossy?: Set<number>;
}

export interface Table {
  header: string[];
  rows: TableRow[];
}

export class TableError extends ReasonError {}

export type TableFormat = 'csv' | 'xlsx';

export function tableFormat(fileName: string): TableFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  if (lower.endsWith('.xls')) throw new TableError(reason('file.xls'));
  throw new TableError(reason('file.unknownType', { file: fileName }));
}

export async function readTable(bytes: Uint8Array, format: TableFormat): Promise<Table> {
  const grid = format === 'csv' ? readCsv(bytes) : await readXlsx(bytes);
  const rows: TableRow[] = [];
  let header: string[] | undefined;
  for (const row of grid) {
    if (row.cells.every((c) => c.trim() === '')) continue;
    if (!header) header = row.cells;
    else rows.push(row);
  }
  if (!header) throw new TableError(reason('file.empty'));
  return { header, rows };
}

/** Chinese Excel saves "CSV" in GB18030 unless told otherwise: UTF-8 is tried first, strictly. */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function readCsv(bytes: Uint8Array): { line: number; cells: string[] }[] {
  const text = decodeText(bytes);
  try {
    const records = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
  } catch (error) {
    throw new TableError(reason('file.csvUnreadable', { message: (error as Error).message }));
  }
}

async function readXlsx(bytes: Uint8Array): Promise<TableRow[]> {
  // Loaded on demand: exceljs is large, and most commands (and every --help) never need it.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (error) {
    throw new TableError(reason('file.xlsxUnreadable', { message: (error as Error).message }));
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new TableError(reason('file.noSheets'));
  const grid: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    const lossy = new Set<number>();
    for (let col = 1; col <= row.cellCount; col++) {
      const value = row.getCell(col).value;
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) lossy.add(col - 1);
      cells.push(cellText(value));
    }
    grid.push({ line: rowNumber, cells, ...(lossy.size ? { lossy } : {}) });
  });
  return grid;
}

/** A cell as the person typed it. Dates become YYYY-MM-DD; long numbers are flagged (see below). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') {
    // An 18-digit ID number typed into a number cell has already lost its last digits (see `lossy`).
    return Number.isSafeInteger(value) ? String(value) : value.toLocaleString('en', { useGrouping: false, maximumFractionDigits: 20 });
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
  if ('error' in value) return '';
  return String(value);
}
