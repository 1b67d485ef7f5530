// Issue 11 finding 9 and issue 10's bad input, for mandatory reports: every report button answers "not found or not
// yours" alike whether the report is outside the presser's area or does not exist (and audits the first); closing a
// report of another township is refused; a caseworker's file of a child no longer shows the references of reports
// others filed. Driven through the real service: Telegram users against the fake Bot API.
import { and, eq } from 'drizzle-orm';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, auditLog, children, conversations, reports, riskChanges } from '../../src/db/schema.js';
import { SecureService } from './service.js';

const REFUSED = '找不到这份报告，或您无权处理。';
const LIUSHU = '990101001001';

describe('issue 11 · mandatory reports', () => {
  let service: SecureService;
  /** 钱督导员 supervises 红星乡; the reports below are in 东风镇's 柳树村. */
  let qian: User;
  let qianId: number;
  let n = 0;

  const fileReport = async (reporter: string, childId: number | null) => {
    const [row] = await service.db
      .insert(reports)
      .values({
        ref: `BG-2026-9${String(++n).padStart(5, '0')}`,
        childId,
        childDescription: childId === null ? '约8岁男孩' : null,
        areaCode: LIUSHU,
        situations: ['abandonment'],
        observed: '独自在家',
        occurredWhen: '今天上午',
        occurredWhere: '村口',
        immediateDanger: true,
        policeTold: false,
        reporterStaffId: await service.staffId(reporter),
        channel: 'telegram',
      })
      .returning({ id: reports.id, ref: reports.ref });
    return row!;
  };
  const said = (s: { texts: string[]; toast: string | undefined }) => [...s.texts, s.toast ?? ''].join('\n');
  const denials = async (reportId: number) =>
    (await service.db.select().from(auditLog).where(and(eq(auditLog.action, 'report.denied'), eq(auditLog.actorStaffId, qianId), eq(auditLog.reportId, reportId)))).length;

  beforeAll(async () => {
    service = await SecureService.start();
    qianId = await service.staffId('钱督导员');
    qian = await service.telegramUser(qianId);
  });
  afterAll(() => service.stop());

  it('finding 9: every report button reads the same for a report outside the area and one that does not exist', async () => {
    const report = await fileReport('李主任', null);
    for (const verb of ['ack', 'open', 'act', 'fu', 'close']) {
      const outside = said(await service.pressData(qian, `r.${verb}.${report.id}`));
      const unknown = said(await service.pressData(qian, `r.${verb}.987654`));
      expect(outside, verb).toContain(REFUSED);
      expect(unknown, verb).toBe(outside);
      expect(outside, verb).not.toContain(report.ref);
    }
    // Each refusal of the existing report is in the audit log, with the report it named.
    expect(await denials(report.id)).toBe(5);
  });

  it('issue 10: "close" on a report of another township is refused and audited; the report stays as it was', async () => {
    const report = await fileReport('李主任', null);
    const answer = said(await service.pressData(qian, `r.close.${report.id}`));
    expect(answer).toContain(REFUSED);
    expect(await denials(report.id)).toBe(1);
    const [after] = await service.db.select().from(reports).where(eq(reports.id, report.id));
    expect(after!.status).toBe('open');
    // No closing form was started for it.
    const forms = await service.db.select().from(conversations).where(and(eq(conversations.staffId, qianId), eq(conversations.status, 'active')));
    expect(forms).toEqual([]);
  });

  it('finding 9: a caseworker’s file of a child shows their own open reports, not the references of others’', async () => {
    const liId = await service.staffId('李主任');
    const [child] = await service.db
      .select({ id: children.id, name: children.name })
      .from(assignments)
      .innerJoin(children, eq(children.id, assignments.childId))
      .where(and(eq(assignments.staffId, liId), eq(children.status, 'active')))
      .limit(1);
    const byOther = await fileReport('赵督导员', child!.id);
    const own = await fileReport('李主任', child!.id);
    const li = await service.telegramUser(liId);
    await service.say(li, '/status');
    const file = said(await service.say(li, child!.name));
    expect(file).toContain(own.ref);
    expect(file).not.toContain(byOther.ref);
    expect(file).toContain('另有 1 份他人提交的报告（由督导员处理）');
    // The supervisor who handles them sees both.
    const zhao = await service.telegramUser(await service.staffId('赵督导员'));
    await service.say(zhao, '/status');
    const handlerView = said(await service.say(zhao, child!.name));
    expect(handlerView).toContain(own.ref);
    expect(handlerView).toContain(byOther.ref);
  });

  describe('issue 10 item 5: lowering a child’s risk level', () => {
    const NOT_ALLOWED = '只有儿童所在地区的督导员或管理员可以下调风险等级。';
    const liushuChild = async (riskLevel: 'red' | 'orange') => {
      const [child] = await service.db
        .select({ id: children.id, name: children.name })
        .from(assignments)
        .innerJoin(children, eq(children.id, assignments.childId))
        .where(and(eq(assignments.staffId, await service.staffId('李主任')), eq(children.status, 'active')))
        .limit(1);
      await service.db.update(children).set({ riskLevel }).where(eq(children.id, child!.id));
      return child!;
    };
    const level = async (id: number) => (await service.db.select({ risk: children.riskLevel }).from(children).where(eq(children.id, id)))[0]!.risk;
    const audited = async (action: string, actor: number) =>
      (await service.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.actorStaffId, actor)))).length;
    const changes = async (id: number) => (await service.db.select().from(riskChanges).where(eq(riskChanges.childId, id))).length;
    const openForms = async (staffId: number) =>
      service.db.select().from(conversations).where(and(eq(conversations.staffId, staffId), eq(conversations.status, 'active')));

    it('a caseworker pressing a forged “lower” button on their own child is refused and audited; nothing changes', async () => {
      const child = await liushuChild('red');
      const liId = await service.staffId('李主任');
      const li = await service.telegramUser(liId);
      // The file shows them no such button…
      await service.say(li, '/status');
      expect(said(await service.say(li, child.name))).not.toContain('下调风险等级');
      const before = await audited('child.risk_denied', liId);
      // … and the button data sent anyway (from the file, and from a report's card) is refused.
      expect(said(await service.pressData(li, `k.low.${child.id}`))).toContain(NOT_ALLOWED);
      expect(await audited('child.risk_denied', liId)).toBe(before + 1);
      const report = await fileReport('李主任', child.id);
      expect(said(await service.pressData(li, `r.risk.${report.id}`))).toContain(REFUSED);
      expect(await level(child.id)).toBe('red');
      expect(await openForms(liId)).toEqual([]);
    });

    it('a supervisor of another township is refused, from the file’s button and from the report’s, and audited', async () => {
      const child = await liushuChild('red');
      const report = await fileReport('李主任', child.id);
      const childDenied = await audited('child.denied', qianId);
      expect(said(await service.pressData(qian, `k.low.${child.id}`))).toContain(NOT_ALLOWED);
      expect(await audited('child.denied', qianId)).toBe(childDenied + 1);
      expect(said(await service.pressData(qian, `r.risk.${report.id}`))).toContain(REFUSED);
      expect(await denials(report.id)).toBe(1);
      expect(await level(child.id)).toBe('red');
      expect(await openForms(qianId)).toEqual([]);
    });

    it('“lowering” to the level the child already has (lowered by someone else meanwhile) is refused with a clear message', async () => {
      const child = await liushuChild('orange');
      const zhaoId = await service.staffId('赵督导员');
      const zhao = await service.telegramUser(zhaoId);
      const before = await changes(child.id);
      const asked = said(await service.pressData(zhao, `k.low.${child.id}`));
      expect(asked).toContain('现在：🟠 橙色');
      expect(asked).not.toContain('🔴');
      await service.press(zhao, '🟡 黄色');
      await service.say(zhao, '外婆接回照料');
      // Meanwhile the child is lowered to yellow by another way; confirming now would not lower anything.
      await service.db.update(children).set({ riskLevel: 'yellow' }).where(eq(children.id, child.id));
      const answer = said(await service.press(zhao, '确认提交'));
      expect(answer).toContain('没有下调：');
      expect(answer).toContain('现在是🟡 黄色，“🟡 黄色”不比它低');
      expect(await changes(child.id)).toBe(before);
      // A child already at the lowest level: no form at all.
      await service.db.update(children).set({ riskLevel: 'green' }).where(eq(children.id, child.id));
      expect(said(await service.pressData(zhao, `k.low.${child.id}`))).toContain('已是🟢 绿色，无法再下调');
      expect(await openForms(zhaoId)).toEqual([]);
    });
  });
});
