import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { and, count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { assignments, auditLog, children } from '../../src/db/schema.js';
import { todayIn } from '../../src/domain/dates.js';
import { databaseTargets } from '../support/db.js';
import { addStaff, adminHarness, breakChecksum, makeIdNumber, testAreasCsv } from './harness.js';

const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const NOW = new Date('2026-11-23T03:00:00Z');
const TODAY = todayIn('Asia/Shanghai', NOW);

describe.each(databaseTargets())('roster import ($name)', (target) => {
  let database: Database;
  let admin: ReturnType<typeof adminHarness>;
  let li: number;
  let wang: number;
  const idA = makeIdNumber('440103', '2015-03-08', 123); // male (odd sequence)
  const idB = makeIdNumber('440103', '2017-11-30', 124); // female
  const idC = makeIdNumber('440103', '2012-01-15', 201);

  beforeAll(async () => {
    database = await target.open();
    admin = adminHarness(database.db, { now: () => NOW });
    await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
    li = await addStaff(database.db, '李梅', 'caseworker', '440103001001');
    wang = await addStaff(database.db, '王强', 'caseworker', '440103001002');
  });
  afterAll(() => database.close());

  const childCount = async () => (await database.db.select({ n: count() }).from(children))[0]!.n;
  const auditCount = async () => (await database.db.select({ n: count() }).from(auditLog))[0]!.n;

  // Mixed Chinese headers with stray spaces and full-width brackets, a BOM, blank lines, full-width digits.
  const messy = [
    '\ufeff 姓名 ,性别,出生日期,身份证号码,类别,风险等级,村（社区）代码,监护人,监护人电话,儿童主任,备注',
    `王 小明,男,2015/3/8,${fullWidth(idA)},农村留守儿童、困境儿童,黄,440103001001,王奶奶,138 0013 8000,李梅,`,
    '',
    `李芳,女,２０１７年１１月３０日,${idB},事实无人抚养儿童,橙色,440103001001,李爷爷,13900139000,${'{WANG}'},新增`,
    '   ,  ,  ,  ,  ,  ,  ,  ,  ,  ,',
    `张伟,男,2012-01-15,${breakChecksum(idC)},困境儿童,绿,440103001002,,,,`,
    `赵敏,女,2016-02-30,,留守儿童,绿,440103001002,,,,`,
    `刘洋,男,2014-05-05,,留守儿童,绿,999999999999,,,,`,
    `陈静,女,2013-06-06,,留守儿童,绿,440103001002,,,不存在的人,`,
    `王小明,男,2015-03-08,${idA},农村留守儿童,黄,440103001001,,,,重复`,
    `杨帆,女,2011-07-07,,外星儿童,紫,440103001002,,12345,,`,
    `黄磊,男,2010-08-08,,流动儿童,,440103002001,黄爸爸,020-81234567,,`,
  ].join('\r\n');
  const messyFile = () => admin.file('messy.csv', messy.replace('{WANG}', String(wang)));

  it('reports every row in a dry run and writes nothing', async () => {
    const before = await auditCount();
    const result = await admin.run('import-roster', messyFile());
    expect(result.code).toBe(3);
    const lines = result.out.split('\n');
    expect(lines).toContain('Ignored columns (not known): 备注');
    expect(lines).toContain(`line 2: created 王小明 ${idA.slice(0, 6)}********${idA.slice(14)}`);
    expect(lines).toContain(`line 4: created 李芳 ${idB.slice(0, 6)}********${idB.slice(14)}`);
    expect(lines).toContain('line 6: rejected 张伟: ID number checksum is wrong (a digit is mistyped)');
    expect(lines).toContain('line 7: rejected 赵敏: invalid birth date "2016-02-30"');
    expect(lines).toContain('line 8: rejected 刘洋: unknown area code 999999999999');
    expect(lines.find((l) => l.startsWith('line 9:'))).toMatch(/rejected 陈静: unknown caseworker "不存在的人"/);
    expect(lines.find((l) => l.startsWith('line 10:'))).toMatch(/rejected 王小明 .*: duplicate of line 2/);
    expect(lines.find((l) => l.startsWith('line 11:'))).toBe(
      'line 11: rejected 杨帆: unknown category "外星儿童"; unknown risk level "紫" (红/橙/黄/绿 or red/orange/yellow/green); invalid guardian phone number',
    );
    expect(lines).toContain('line 12: created 黄磊');
    expect(result.out).toContain('Dry run — nothing written: 3 created, 0 updated, 0 unchanged, 6 rejected');
    expect(result.out).not.toContain(idA);
    expect(await childCount()).toBe(0);
    expect(await auditCount()).toBe(before);
  });

  it('applies the good rows in one go: children, caseloads, first visits due today, an audit entry each', async () => {
    const result = await admin.run('import-roster', messyFile(), '--apply');
    expect(result.code).toBe(3);
    expect(result.out).toContain('Applied: 3 created, 0 updated, 0 unchanged, 6 rejected');
    const rows = await database.db.select().from(children);
    const ming = rows.find((c) => c.name === '王小明')!;
    expect(ming).toMatchObject({
      idNumber: idA,
      sex: 'male',
      birthDate: '2015-03-08',
      categories: ['in_distress', 'left_behind'],
      riskLevel: 'yellow',
      guardianPhone: '13800138000',
      status: 'active',
      nextVisitDue: TODAY,
    });
    expect(rows.find((c) => c.name === '黄磊')).toMatchObject({ riskLevel: 'green', guardianPhone: '02081234567', categories: ['migrant'] });
    const caseloads = await database.db.select().from(assignments).where(isNull(assignments.endedAt));
    expect(caseloads.map((a) => [rows.find((c) => c.id === a.childId)!.name, a.staffId]).sort()).toEqual([
      ['李芳', wang],
      ['王小明', li],
    ]);
    const trail = await database.db.select().from(auditLog).where(and(eq(auditLog.childId, ming.id), eq(auditLog.action, 'child.import.create')));
    expect(trail).toHaveLength(1);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await auditCount();
    const again = await admin.run('import-roster', messyFile(), '--apply', '--quiet');
    expect(again.out).toContain('Applied: 0 created, 0 updated, 3 unchanged, 6 rejected');
    expect(again.out).not.toMatch(/line 2:/);
    expect(await auditCount()).toBe(before);
    expect(await childCount()).toBe(3);
  });

  it('updates what changed, moves a caseload, and never erases with a blank cell (xlsx, English headers)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('roster');
    sheet.addRow(['Name', 'Birth Date', 'ID Number', 'Risk', 'Area Code', 'Guardian Phone', 'Caseworker', 'Last visit']);
    sheet.addRow(['王小明', new Date(Date.UTC(2015, 2, 8)), idA, 'red', '440103001001', '', String(wang), '2026-11-20']);
    sheet.addRow(['李芳', '2017-11-30', idB, '', '440103001001', '', '', '']);
    sheet.addRow(['新来的', '2019-09-09', Number(makeIdNumber('440103', '2019-09-09', 55)), '', '440103001002', '', '', '']);
    const file = admin.file('roster.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()));
    const result = await admin.run('import-roster', file, '--apply');
    expect(result.out).toContain('line 2: updated 王小明');
    expect(result.out).toMatch(/line 2: updated .*: risk; last_visit; caseworker/);
    expect(result.out).toMatch(/line 3: unchanged 李芳/);
    // An 18-digit number typed into a number cell has lost digits: the checksum catches it.
    expect(result.out).toMatch(/line 4: rejected 新来的: ID number was stored as a number/);
    const [ming] = await database.db.select().from(children).where(eq(children.idNumber, idA));
    // Red: next visit 7 days after the recorded one; the phone stays although the cell was blank.
    expect(ming).toMatchObject({ riskLevel: 'red', lastVisitOn: '2026-11-20', nextVisitDue: '2026-11-27', guardianPhone: '13800138000' });
    const history = await database.db.select().from(assignments).where(eq(assignments.childId, ming!.id));
    expect(history.map((a) => [a.staffId, a.endedAt === null])).toEqual([
      [li, false],
      [wang, true],
    ].sort((a, b) => Number(a[1]) - Number(b[1])));
  });

  it('writes an empty template that imports as a roster, and a row-by-row report file', async () => {
    const template = `${admin.dir}/template.xlsx`;
    expect(await admin.run('import-roster', '--template', template)).toMatchObject({ code: 0 });
    const empty = await admin.run('import-roster', template);
    expect(empty.out).toContain('0 created, 0 updated, 0 unchanged, 0 rejected');
    const report = `${admin.dir}/report.csv`;
    await admin.run('import-roster', messyFile(), '--quiet', '--report', report);
    const lines = readFileSync(report, 'utf8').split('\r\n');
    expect(lines[0]).toBe('\ufeffline,outcome,name,id_number,details');
    expect(lines).toContain('6,rejected,张伟,,ID number checksum is wrong (a digit is mistyped)');
  });

  it('matches the roster child, not a duplicate registered in the field', async () => {
    // 黄磊 has no ID number; a caseworker registered him again, and the supervisor rejected it as a duplicate.
    const [lei] = await database.db.select().from(children).where(eq(children.name, '黄磊'));
    await database.db.insert(children).values({ ...lei!, id: undefined, status: 'rejected', registeredBy: li } as typeof children.$inferInsert);
    const again = await admin.run('import-roster', messyFile());
    expect(again.out).toContain('line 12: unchanged 黄磊');
  });

  it('tells namesakes born the same day apart by their ID numbers, but not without them', async () => {
    const one = makeIdNumber('440103', '2018-08-08', 11);
    const two = makeIdNumber('440103', '2018-08-08', 13);
    const rows = ['姓名,出生日期,身份证号,村(社区)代码', `李娜,2018-08-08,${one},440103002001`, `李娜,2018-08-08,${two},440103002001`, '李娜,2018-08-08,,440103002001'];
    const result = await admin.run('import-roster', admin.file('namesakes.csv', rows.join('\n')));
    expect(result.out).toContain('line 2: created 李娜');
    expect(result.out).toContain('line 3: created 李娜');
    expect(result.out).toMatch(/line 4: rejected 李娜: duplicate of line 2/);
  });

  it('refuses a file without the required columns, and an unreadable one', async () => {
    const noArea = await admin.run('import-roster', admin.file('bad.csv', 'name,sex\n王,男\n'));
    expect(noArea.code).toBe(1);
    expect(noArea.err).toContain('The roster has no area_code column');
    const empty = await admin.run('import-roster', admin.file('empty.csv', '\n\n'));
    expect(empty).toMatchObject({ code: 1, err: expect.stringContaining('The file is empty') });
    const xls = await admin.run('import-roster', admin.file('old.xls', 'x'));
    expect(xls.err).toContain('Old .xls workbooks are not supported');
    const broken = await admin.run('import-roster', admin.file('broken.xlsx', 'not a zip'));
    expect(broken.err).toContain('The .xlsx file could not be read');
  });

  it('reads a CSV saved by Chinese Excel in GB18030', async () => {
    const gbk = Buffer.from([0xd0, 0xd5, 0xc3, 0xfb, 0x2c]); // "姓名," in GB18030
    const rest = Buffer.from('area_code,birth_date\n');
    const name = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三
    const file = admin.file('gbk.csv', Buffer.concat([gbk, rest, name, Buffer.from(',440103002001,2018-01-01\n')]));
    const result = await admin.run('import-roster', file);
    expect(result.out).toContain('line 2: created 张三');
  });

  it('imports a 10,000-row roster, then re-imports it unchanged, in seconds', async () => {
    const villages = ['440103001001', '440103001002', '440103002001'];
    const lines = ['姓名,性别,出生日期,身份证号,类别,风险等级,村(社区)代码,监护人,监护人电话,儿童主任'];
    for (let i = 0; i < 10_000; i++) {
      const birth = `20${String(8 + (i % 10)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
      const id = makeIdNumber('440103', birth, i % 1000);
      const sex = Number(id[16]) % 2 === 1 ? '男' : '女';
      lines.push(`儿童${i},${sex},${birth},${i % 97 === 0 ? breakChecksum(id) : id},留守儿童,绿,${villages[i % 3]},监护人${i},1380000${String(i).padStart(4, '0')},${i % 2 ? '李梅' : ''}`);
    }
    const file = admin.file('big.csv', lines.join('\n'));
    const started = performance.now();
    const first = await admin.run('import-roster', file, '--apply', '--quiet');
    const firstMs = performance.now() - started;
    const rejected = Math.ceil(10_000 / 97);
    expect(first.out).toContain(`Applied: ${10_000 - rejected} created, 0 updated, 0 unchanged, ${rejected} rejected`);
    const again = performance.now();
    const second = await admin.run('import-roster', file, '--apply', '--quiet');
    const secondMs = performance.now() - again;
    expect(second.out).toContain(`Applied: 0 created, 0 updated, ${10_000 - rejected} unchanged, ${rejected} rejected`);
    console.log(`[${target.name}] 10,000-row roster: first import ${Math.round(firstMs)} ms, re-import ${Math.round(secondMs)} ms`);
  }, 180_000);
});
