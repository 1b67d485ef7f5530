// The audit trail, the append-only guarantee, the visit policy and exports.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/db/audit.js';
import type { Database } from '../../src/db/client.js';
import { auditLog, children, reports, visits } from '../../src/db/schema.js';
import { maskIdNumber } from '../../src/domain/mask.js';
import { databaseTargets } from '../support/db.js';
import { addStaff, adminHarness, makeIdNumber, testAreasCsv } from './harness.js';

const NOW = new Date('2026-11-23T03:00:00Z');
const fine = Object.fromEntries(['health', 'mental', 'education', 'hygiene', 'living', 'guardianship'].map((d) => [d, { level: 'fine' as const }]));

describe.each(databaseTargets())('audit, policy and exports ($name)', (target) => {
  let database: Database;
  let admin: ReturnType<typeof adminHarness>;
  let supervisor: number;
  let caseworker: number;
  let shamianChild: number;
  const idA = makeIdNumber('440103', '2015-03-08', 123);
  const idB = makeIdNumber('440103', '2016-04-09', 222);

  beforeAll(async () => {
    database = await target.open();
    admin = adminHarness(database.db, { now: () => NOW });
    await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
    supervisor = await addStaff(database.db, '赵督导', 'supervisor', '440103001');
    caseworker = await addStaff(database.db, '李梅', 'caseworker', '440103001001');
    await addStaff(database.db, '周管理员', 'admin', '440103');
    const roster = ['姓名,出生日期,身份证号,村(社区)代码,监护人电话,儿童主任', `王小明,2015-03-08,${idA},440103001001,13800138000,李梅`, `黄磊,2016-04-09,${idB},440103002001,13900139000,`];
    await admin.run('import-roster', admin.file('roster.csv', roster.join('\n')), '--apply');
    const [ming] = await database.db.select().from(children).where(eq(children.idNumber, idA));
    const [lei] = await database.db.select().from(children).where(eq(children.idNumber, idB));
    shamianChild = ming!.id;
    const visit = (ref: string, childId: number, visitedOn: string) => ({
      ref, childId, staffId: caseworker, visitedOn, kind: 'home' as const, childSeen: true, dimensions: fine, riskBefore: 'green' as const,
      riskAfter: 'yellow' as const, nextVisitOn: '2026-12-20', channel: 'local',
    });
    await database.db.insert(visits).values([visit('ZF-2026-000001', ming!.id, '2026-10-01'), visit('ZF-2026-000002', ming!.id, '2026-11-20'), visit('ZF-2026-000003', lei!.id, '2026-11-21')]);
    await database.db.insert(reports).values({
      ref: 'BG-2026-000001', childId: ming!.id, areaCode: '440103001001', situations: ['abandonment'], observed: '长期无人照料', occurredWhen: '近一周',
      occurredWhere: '家中', immediateDanger: false, policeTold: true, policeReceipt: 'J123', reporterStaffId: caseworker, channel: 'local',
    });
  });
  afterAll(() => database.close());

  it("shows a child's trail: import, reads, refusals, exports, in order with who and through which channel", async () => {
    await audit(database.db, { actorStaffId: caseworker, channel: 'telegram', action: 'child.read', childId: shamianChild, at: new Date('2026-11-23T04:00:00Z') });
    await audit(database.db, { actorStaffId: supervisor, channel: 'feishu', action: 'child.denied', childId: shamianChild, at: new Date('2026-11-23T05:00:00Z') });
    const result = await admin.run('audit', '--child', String(shamianChild));
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(`儿童 ${shamianChild}（王小明，在册）的审计记录`);
    expect(lines[1]).toMatch(/^时间\s+人员\s+渠道\s+操作\s+详情$/);
    expect(lines[3]).toMatch(/^2026-11-23 11:00:00\s+（管理员）\s+cli\s+child\.import\.create/);
    expect(lines[4]).toMatch(new RegExp(`^2026-11-23 12:00:00\\s+${caseworker} 李梅 \\(儿童主任\\)\\s+telegram\\s+child\\.read`));
    expect(lines[5]).toMatch(new RegExp(`^2026-11-23 13:00:00\\s+${supervisor} 赵督导 \\(督导员\\)\\s+feishu\\s+child\\.denied`));
    // By name: the same trail.
    expect((await admin.run('audit', '--child', '王小明')).out).toBe(result.out);
    expect(await admin.run('audit', '--child', '99999')).toMatchObject({ code: 1, err: 'audit：没有编号为 99999 的儿童' });
    expect(await admin.run('audit', '--child', '没有这人')).toMatchObject({ code: 1, err: 'audit：没有叫“没有这人”的儿童' });
    expect(await admin.run('audit')).toMatchObject({ code: 2 });
    const byRef = await admin.run('audit', '--report', 'bg-2026-000001');
    expect(byRef.out.split('\n')[0]).toMatch(/^报告 \d+（BG-2026-000001）的审计记录$/);
  });

  it('refuses to change or delete the audit log, at the database', async () => {
    await expect(database.db.update(auditLog).set({ action: 'tampered' }).where(eq(auditLog.childId, shamianChild))).rejects.toThrow();
    await expect(database.db.delete(auditLog).where(eq(auditLog.childId, shamianChild))).rejects.toThrow();
    await expect(database.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    const rows = await database.db.select().from(auditLog).where(and(eq(auditLog.childId, shamianChild), eq(auditLog.action, 'tampered')));
    expect(rows).toHaveLength(0);
  });

  it('lists and sets the visit policy', async () => {
    const set = await admin.run('policy', 'set', '--category', 'disabled', '--risk', 'yellow', '--days', '21');
    expect(set).toMatchObject({ code: 0, out: 'disabled 残疾儿童、🟡 黄色风险的儿童：每 21 天走访一次。' });
    expect((await admin.run('policy', 'list')).out).toMatch(/disabled 残疾儿童\s+yellow 🟡 黄色\s+21/);
    expect(await admin.run('policy', 'set', '--category', 'aliens', '--risk', 'yellow', '--days', '21')).toMatchObject({ code: 2 });
    expect(await admin.run('policy', 'set', '--category', '*', '--risk', 'purple', '--days', '21')).toMatchObject({ code: 2 });
  });

  it('exports children with masked ID and phone numbers, and in full only on request', async () => {
    const masked = await admin.run('export', 'children', '--area', '440103', '--format', 'csv');
    expect(masked.code).toBe(0);
    expect(masked.out.startsWith('\ufeff儿童编号,姓名,性别,出生日期,身份证号')).toBe(true);
    expect(masked.out).toContain(maskIdNumber(idA));
    expect(masked.out).toContain('138****8000');
    expect(masked.out).not.toContain(idA);
    expect(masked.out).not.toContain('13800138000');
    const full = await admin.run('export', 'children', '--area', '440103', '--format', 'csv', '--full-id', '--lang', 'en');
    expect(full.out).toContain(idA);
    expect(full.out.split('\r\n')[0]).toBe('\ufeffchild_id,name,sex,birth_date,id_number,categories,risk,area_code,area_name,address,guardian,guardian_relation,guardian_phone,status,caseworker,last_visit,next_visit_due');
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'export.children')).orderBy(sql`${auditLog.id} desc`).limit(1);
    expect(entry!.detail).toMatchObject({ area: '440103', fullId: true, rows: 2 });
  });

  it('exports visits of an area and a period as .xlsx, ID numbers as masked text', async () => {
    const out = `${admin.dir}/visits.xlsx`;
    const result = await admin.run('export', 'visits', '--area', '440103001', '--from', '2026-11-01', '--to', '2026-11-30', '--format', 'xlsx', '--out', out);
    expect(result).toMatchObject({ code: 0, err: `已导出 1 条走访到 ${out}。` });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(out) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(1).value).toBe('ZF-2026-000002');
    expect(sheet.getRow(2).getCell(4).value).toBe(maskIdNumber(idA));
    expect(await admin.run('export', 'visits', '--area', '440103', '--format', 'xlsx')).toMatchObject({ code: 2, err: expect.stringContaining('.xlsx 导出需要 --out') });
    expect(await admin.run('export', 'visits', '--area', '440103', '--format', 'csv', '--from', '2026-12-01', '--to', '2026-11-01')).toMatchObject({ code: 2 });
    expect(await admin.run('export', 'visits', '--area', '440103', '--format', 'csv', '--from', '2026-02-30')).toMatchObject({ code: 2 });
  });

  it("names a report's reporter only in the administrator's export; a supervisor exports only their own area", async () => {
    const asAdmin = await admin.run('export', 'reports', '--area', '440103', '--format', 'csv');
    expect(asAdmin.out.split('\r\n')[0]).toMatch(/,报告人$/);
    expect(asAdmin.out).toContain('李梅');
    const asSupervisor = await admin.run('export', 'reports', '--area', '440103001', '--format', 'csv', '--as', String(supervisor));
    expect(asSupervisor.code).toBe(0);
    expect(asSupervisor.out).toContain('BG-2026-000001');
    expect(asSupervisor.out).not.toContain('报告人');
    expect(asSupervisor.out).not.toContain('李梅');
    const outside = await admin.run('export', 'children', '--area', '440103', '--format', 'csv', '--as', String(supervisor));
    expect(outside).toMatchObject({ code: 1, err: expect.stringContaining('不在 赵督导 的地区') });
    const fullId = await admin.run('export', 'children', '--area', '440103001', '--format', 'csv', '--as', String(supervisor), '--full-id');
    expect(fullId).toMatchObject({ code: 1, err: expect.stringContaining('--full-id 只允许管理员') });
    const asCaseworker = await admin.run('export', 'children', '--area', '440103001001', '--format', 'csv', '--as', String(caseworker));
    expect(asCaseworker.code).toBe(1);
    const scoped = await admin.run('export', 'children', '--area', '440103001', '--format', 'csv', '--as', String(supervisor));
    expect(scoped.out).toContain('王小明');
    expect(scoped.out).not.toContain('黄磊');
    const exported = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'child.export'), eq(auditLog.actorStaffId, supervisor)));
    expect(exported.map((e) => e.childId)).toContain(shamianChild);
  });
});
