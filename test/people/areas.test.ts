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
    expect(result.out).toContain('新增 8，更新 0，未变 0，拒绝 0');
    const rows = await database.db.select().from(areas);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    expect(byCode.get('44')?.level).toBe('province');
    expect(byCode.get('440103001')).toMatchObject({ level: 'township', parentCode: '440103', path: '/44/4401/440103/440103001/' });
    expect(byCode.get('440103001001')).toMatchObject({ level: 'village', parentCode: '440103001', path: '/44/4401/440103/440103001/440103001001/' });
  });

  it('changes nothing when the same file is imported again, and updates a renamed area', async () => {
    const again = await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
    expect(again.out).toContain('新增 0，更新 0，未变 8，拒绝 0');
    const renamed = await admin.run('areas', 'import', admin.file('rename.csv', '\ufeff代码,名称\n440103002001,岭南新社区\n'));
    expect(renamed.out).toContain('新增 0，更新 1，未变 0');
  });

  it('hangs custom (non-numeric) areas under an explicit parent and rejects bad rows with their line', async () => {
    const csv = ['代码,名称,上级代码,级别', 'NGO-A,项目点A,440103002,村', 'x1,孤儿,nowhere,village', '12345,五位码,,', ',无代码,,', 'NGO-B,项目点B,NGO-A,乡镇', 'NGO-A,重复,440103002,村'].join('\n');
    const result = await admin.run('areas', 'import', admin.file('custom.csv', csv));
    expect(result.code).toBe(3);
    expect(result.out).toContain('第 3 行：拒绝 x1 孤儿：上级代码 nowhere 不存在');
    expect(result.out).toContain('第 4 行：拒绝 12345 五位码：无法从代码 12345 判断级别');
    expect(result.out).toContain('第 5 行：拒绝 （无代码） 无代码：没有代码');
    expect(result.out).toContain('第 7 行：拒绝 NGO-A 重复：与第 2 行重复');
    // The same report in English with --lang en.
    const english = await admin.run('areas', 'import', '--dry-run', admin.file('custom.csv', csv), '--lang', 'en');
    expect(english.out).toMatch(/line 3: rejected x1 孤儿: unknown parent code nowhere/);
    expect(english.out).toMatch(/line 5: rejected \(no code\) 无代码: no code/);
    expect(await areaPath(database.db, 'NGO-A')).toBe('/44/4401/440103/440103002/NGO-A/');
    expect(await areaPath(database.db, 'NGO-B')).toBe('/44/4401/440103/440103002/NGO-A/NGO-B/');
  });

  it('moves a whole subtree when an area gets a new parent', async () => {
    await admin.run('areas', 'import', admin.file('deeper.csv', 'code,name,parent_code,level\nNGO-C,项目点C,NGO-B,village\n'));
    const moved = await admin.run('areas', 'import', admin.file('move.csv', 'code,name,parent_code,level\nNGO-B,项目点B,440103001,township\n'));
    expect(moved.out).toContain('新增 0，更新 1');
    expect(await areaPath(database.db, 'NGO-B')).toBe('/44/4401/440103/440103001/NGO-B/');
    expect(await areaPath(database.db, 'NGO-C')).toBe('/44/4401/440103/440103001/NGO-B/NGO-C/');
  });

  it('lists a subtree as an indented tree', async () => {
    const result = await admin.run('areas', 'list', '--under', '440103001');
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^代码\s+名称\s+级别\s+儿童$/);
    expect(lines[2]).toMatch(/^440103001\s+沙面街道\s+乡镇/);
    expect(lines[3]).toMatch(/^ {2}440103001001\s+沙面社区\s+村/);
    expect(result.out).not.toContain('岭南');
    expect(result.out).toMatch(/ {2}NGO-B\s+项目点B\s+乡镇/);
    const unknown = await admin.run('areas', 'list', '--under', '999');
    expect(unknown).toMatchObject({ code: 1, err: 'areas：没有代码为 999 的地区（查看：npm run -s admin -- areas list）' });
  });

  it('answers wrong usage with exit code 2 and the way to get help', async () => {
    const result = await admin.run('areas', 'import');
    expect(result.code).toBe(2);
    expect(result.err).toContain('areas import 需要一个文件');
    expect(result.err).toContain('查看帮助：npm run -s admin -- areas --help');
    const badOption = await admin.run('areas', 'list', '--bogus');
    expect(badOption.code).toBe(2);
    expect(badOption.err).toContain('不认识的选项 --bogus');
    const noValue = await admin.run('areas', 'list', '--under');
    expect(noValue).toMatchObject({ code: 2, err: expect.stringContaining('选项 --under 需要一个值') });
    const badLang = await admin.run('areas', 'list', '--lang', 'fr');
    expect(badLang).toMatchObject({ code: 2, err: '--lang 只能是 zh-CN 或 en' });
    const missing = await admin.run('areas', 'import', '/nonexistent/areas.csv');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('找不到文件 /nonexistent/areas.csv');
  });
});
