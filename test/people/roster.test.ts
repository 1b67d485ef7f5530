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
    expect(lines).toContain('忽略的列（不认识）：备注');
    expect(lines).toContain(`第 2 行：新增 王小明 ${idA.slice(0, 6)}********${idA.slice(14)}`);
    expect(lines).toContain(`第 4 行：新增 李芳 ${idB.slice(0, 6)}********${idB.slice(14)}`);
    expect(lines).toContain('第 6 行：拒绝 张伟：身份证号校验位不对（有数字输错了）');
    expect(lines).toContain('第 7 行：拒绝 赵敏：出生日期“2016-02-30”无效');
    expect(lines).toContain('第 8 行：拒绝 刘洋：村(社区)代码 999999999999 不在地区树中');
    expect(lines.find((l) => l.startsWith('第 9 行'))).toMatch(/拒绝 陈静：没有儿童主任“不存在的人”/);
    expect(lines.find((l) => l.startsWith('第 10 行'))).toMatch(/拒绝 王小明 .*：与第 2 行重复/);
    expect(lines.find((l) => l.startsWith('第 11 行'))).toBe('第 11 行：拒绝 杨帆：不认识的类别“外星儿童”；不认识的风险等级“紫”（红/橙/黄/绿）；监护人电话无效');
    expect(lines).toContain('第 12 行：新增 黄磊');
    expect(result.out).toContain('试运行，未写入任何内容：新增 3，更新 0，未变 0，拒绝 6');
    const english = await admin.run('import-roster', messyFile(), '--lang', 'en');
    expect(english.out).toContain('line 6: rejected 张伟: ID number checksum is wrong (a digit is mistyped)');
    expect(english.out).toContain('Dry run — nothing written: 3 created, 0 updated, 0 unchanged, 6 rejected');
    expect(result.out).not.toContain(idA);
    expect(await childCount()).toBe(0);
    expect(await auditCount()).toBe(before);
  });

  it('applies the good rows in one go: children, caseloads, first visits due today, an audit entry each', async () => {
    const result = await admin.run('import-roster', messyFile(), '--apply');
    expect(result.code).toBe(3);
    expect(result.out).toContain('已导入：新增 3，更新 0，未变 0，拒绝 6');
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
    expect(again.out).toContain('已导入：新增 0，更新 0，未变 3，拒绝 6');
    expect(again.out).not.toMatch(/^第 2 行/m);
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
    expect(result.out).toContain('第 2 行：更新 王小明');
    expect(result.out).toMatch(/第 2 行：更新 .*：风险等级；最近走访日期；儿童主任/);
    expect(result.out).toMatch(/第 3 行：未变 李芳/);
    // An 18-digit number typed into a number cell has lost digits: the checksum catches it.
    expect(result.out).toMatch(/第 4 行：拒绝 新来的：身份证号在表格中被存成了数字/);
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
    expect(empty.out).toContain('新增 0，更新 0，未变 0，拒绝 0');
    const report = `${admin.dir}/report.csv`;
    await admin.run('import-roster', messyFile(), '--quiet', '--report', report);
    const lines = readFileSync(report, 'utf8').split('\r\n');
    expect(lines[0]).toBe('\ufeff行号,结果,姓名,身份证号,说明');
    expect(lines).toContain('6,拒绝,张伟,,身份证号校验位不对（有数字输错了）');
  });

  it('matches the roster child, not a duplicate registered in the field', async () => {
    // 黄磊 has no ID number; a caseworker registered him again, and the supervisor rejected it as a duplicate.
    const [lei] = await database.db.select().from(children).where(eq(children.name, '黄磊'));
    await database.db.insert(children).values({ ...lei!, id: undefined, status: 'rejected', registeredBy: li } as typeof children.$inferInsert);
    const again = await admin.run('import-roster', messyFile());
    expect(again.out).toContain('第 12 行：未变 黄磊');
  });

  it('tells namesakes born the same day apart by their ID numbers, but not without them', async () => {
    const one = makeIdNumber('440103', '2018-08-08', 11);
    const two = makeIdNumber('440103', '2018-08-08', 13);
    const rows = ['姓名,出生日期,身份证号,村(社区)代码', `李娜,2018-08-08,${one},440103002001`, `李娜,2018-08-08,${two},440103002001`, '李娜,2018-08-08,,440103002001'];
    const result = await admin.run('import-roster', admin.file('namesakes.csv', rows.join('\n')));
    expect(result.out).toContain('第 2 行：新增 李娜');
    expect(result.out).toContain('第 3 行：新增 李娜');
    expect(result.out).toMatch(/第 4 行：拒绝 李娜：与第 2 行重复/);
  });

  it('refuses a file without the required columns, and an unreadable one', async () => {
    const noArea = await admin.run('import-roster', admin.file('bad.csv', 'name,sex\n王,男\n'));
    expect(noArea.code).toBe(1);
    expect(noArea.err).toContain('名册缺少这些列：area_code (村(社区)代码)');
    const empty = await admin.run('import-roster', admin.file('empty.csv', '\n\n'));
    expect(empty).toMatchObject({ code: 1, err: expect.stringContaining('文件是空的') });
    const xls = await admin.run('import-roster', admin.file('old.xls', 'x'));
    expect(xls.err).toContain('不支持旧的 .xls 工作簿');
    const broken = await admin.run('import-roster', admin.file('broken.xlsx', 'not a zip'));
    expect(broken.err).toContain('.xlsx 文件无法读取');
  });

  it('reads a CSV saved by Chinese Excel in GB18030', async () => {
    const gbk = Buffer.from([0xd0, 0xd5, 0xc3, 0xfb, 0x2c]); // "姓名," in GB18030
    const rest = Buffer.from('area_code,birth_date\n');
    const name = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三
    const file = admin.file('gbk.csv', Buffer.concat([gbk, rest, name, Buffer.from(',440103002001,2018-01-01\n')]));
    const result = await admin.run('import-roster', file);
    expect(result.out).toContain('第 2 行：新增 张三');
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
    expect(first.out).toContain(`已导入：新增 ${10_000 - rejected}，更新 0，未变 0，拒绝 ${rejected}`);
    const again = performance.now();
    const second = await admin.run('import-roster', file, '--apply', '--quiet');
    const secondMs = performance.now() - again;
    expect(second.out).toContain(`已导入：新增 0，更新 0，未变 ${10_000 - rejected}，拒绝 ${rejected}`);
    console.log(`[${target.name}] 10,000-row roster: first import ${Math.round(firstMs)} ms, re-import ${Math.round(secondMs)} ms`);
  }, 180_000);
});
