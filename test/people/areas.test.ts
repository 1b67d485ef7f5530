import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { areas } from '../../src/db/schema.js';
import { databaseTargets } from '../support/db.js';
import { adminHarness, areaPath, testAreasCsv } from './harness.js';

describe.each(databaseTargets())('areas import and list ($name)', (target) => {
  let database: Database;
  let admin: ReturnType<typeof adminHarness>;
  beforeAll(async () => {
    database = await target.open();
    admin = adminHarness(database.db);
  });
  afterAll(() => database.close());

  it('derives levels and materialised paths from division codes, padded or not', async () => {
    const result = await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
    expect(result.code).toBe(0);
    expect(result.out).toContain('created 8, updated 0, unchanged 0, rejected 0');
    const rows = await database.db.select().from(areas);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    expect(byCode.get('44')?.level).toBe('province');
    expect(byCode.get('440103001')).toMatchObject({ level: 'township', parentCode: '440103', path: '/44/4401/440103/440103001/' });
    expect(byCode.get('440103001001')).toMatchObject({ level: 'village', parentCode: '440103001', path: '/44/4401/440103/440103001/440103001001/' });
  });

  it('changes nothing when the same file is imported again, and updates a renamed area', async () => {
    const again = await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
    expect(again.out).toContain('created 0, updated 0, unchanged 8, rejected 0');
    const renamed = await admin.run('areas', 'import', admin.file('rename.csv', '\ufeff代码,名称\n440103002001,岭南新社区\n'));
    expect(renamed.out).toContain('created 0, updated 1, unchanged 0');
  });

  it('hangs custom (non-numeric) areas under an explicit parent and rejects bad rows with their line', async () => {
    const csv = ['代码,名称,上级代码,级别', 'NGO-A,项目点A,440103002,村', 'x1,孤儿,nowhere,village', '12345,五位码,,', ',无代码,,', 'NGO-B,项目点B,NGO-A,乡镇', 'NGO-A,重复,440103002,村'].join('\n');
    const result = await admin.run('areas', 'import', admin.file('custom.csv', csv));
    expect(result.code).toBe(3);
    expect(result.out).toMatch(/line 3: rejected x1 孤儿: unknown parent code nowhere/);
    expect(result.out).toMatch(/line 4: rejected 12345 五位码: cannot tell the level/);
    expect(result.out).toMatch(/line 5: rejected \(no code\) 无代码: no code/);
    expect(result.out).toMatch(/line 7: rejected NGO-A 重复: duplicate of line 2/);
    expect(await areaPath(database.db, 'NGO-A')).toBe('/44/4401/440103/440103002/NGO-A/');
    expect(await areaPath(database.db, 'NGO-B')).toBe('/44/4401/440103/440103002/NGO-A/NGO-B/');
  });

  it('moves a whole subtree when an area gets a new parent', async () => {
    await admin.run('areas', 'import', admin.file('deeper.csv', 'code,name,parent_code,level\nNGO-C,项目点C,NGO-B,village\n'));
    const moved = await admin.run('areas', 'import', admin.file('move.csv', 'code,name,parent_code,level\nNGO-B,项目点B,440103001,township\n'));
    expect(moved.out).toContain('created 0, updated 1');
    expect(await areaPath(database.db, 'NGO-B')).toBe('/44/4401/440103/440103001/NGO-B/');
    expect(await areaPath(database.db, 'NGO-C')).toBe('/44/4401/440103/440103001/NGO-B/NGO-C/');
  });

  it('lists a subtree as an indented tree', async () => {
    const result = await admin.run('areas', 'list', '--under', '440103001');
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[2]).toMatch(/^440103001\s+沙面街道\s+township/);
    expect(lines[3]).toMatch(/^ {2}440103001001\s+沙面社区\s+village/);
    expect(result.out).not.toContain('岭南');
    expect(result.out).toMatch(/ {2}NGO-B\s+项目点B\s+township/);
    const unknown = await admin.run('areas', 'list', '--under', '999');
    expect(unknown).toMatchObject({ code: 1, err: 'areas: unknown area code 999' });
  });

  it('answers wrong usage with exit code 2 and the way to get help', async () => {
    const result = await admin.run('areas', 'import');
    expect(result.code).toBe(2);
    expect(result.err).toContain('areas import needs a file');
    expect(result.err).toContain('npm run admin -- areas --help');
    const badOption = await admin.run('areas', 'list', '--bogus');
    expect(badOption.code).toBe(2);
    expect(badOption.err).toContain("Unknown option '--bogus'");
    const missing = await admin.run('areas', 'import', '/nonexistent/areas.csv');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('ENOENT');
  });
});
