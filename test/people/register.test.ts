// Registering a child and deciding on it through the approval card's buttons (as delivered through the outbox),
// with forged, repeated and out-of-scope presses, and a caseworker deactivated in the middle of the form.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { richToPlain, type OutMessage } from '../../src/bot/message.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { assignments, auditLog, children, outbox, staff } from '../../src/db/schema.js';
import { registerApprovalActions } from '../../src/flows/register.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { createLogger } from '../../src/logger.js';
import { CoreDriver } from '../support/chat.js';
import { databaseTargets } from '../support/db.js';
import { demoWorld, TestClock, type DemoWorld } from '../support/world.js';
import { adminHarness } from './harness.js';

describe.each(databaseTargets())('registering a child ($name)', (target) => {
  let database: Database;
  let world: DemoWorld;
  let driver: CoreDriver;
  beforeAll(async () => {
    database = await target.open();
    world = await demoWorld(database.db);
    const clock = new TestClock();
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows(), clock: clock.now, rateLimit: { burst: 1e6, perSecond: 1e6 } });
    registerApprovalActions(core);
    driver = new CoreDriver(core, world, database.db);
  });
  afterAll(() => database.close());

  const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

  async function register(speaker: string, name: string, birth: string, village: string): Promise<number> {
    await driver.say(speaker, '/register');
    await driver.say(speaker, name);
    await driver.press(speaker, '女');
    await driver.say(speaker, birth);
    await driver.press(speaker, village);
    await driver.press(speaker, '困境儿童');
    await driver.press(speaker, '完成');
    await driver.say(speaker, '张爷爷');
    await driver.press(speaker, '祖父');
    await driver.say(speaker, '+86 139-0013-9000');
    await driver.press(speaker, '橙');
    const done = await driver.press(speaker, '确认提交');
    expect(text(done)).toContain(`已提交登记：${name}`);
    const [child] = await database.db.select().from(children).where(and(eq(children.name, name), eq(children.status, 'pending')));
    return child!.id;
  }

  /** The approval card as the outbox holds it for a supervisor. */
  async function cardFor(childId: number, supervisor: string): Promise<OutMessage> {
    const rows = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, 'registration.approval'), eq(outbox.staffId, world.staffId(supervisor))));
    const row = rows.find((r) => JSON.stringify(r.payload).includes(`a.ok.${childId}`));
    return row!.payload as unknown as OutMessage;
  }

  const press = (speaker: string, data: string) => driver.send(speaker, { kind: 'button', data });

  it('sends the township supervisor a card with masked phone and approve/reject buttons; approval puts the child on the caseload', async () => {
    const childId = await register('李主任', '张小花', '2014-06-01', '柳树村');
    const card = await cardFor(childId, '赵督导员');
    const shown = richToPlain(card.text);
    expect(shown).toContain('张小花，女，2014年6月1日出生，柳树村');
    expect(shown).toContain('139****9000');
    expect(shown).not.toContain('13900139000');
    expect(shown).toContain('登记人：李主任');
    expect(shown).toContain('未发现同名同出生日期的儿童');
    expect(card.buttons!.flat().map((b) => b.data)).toEqual([`a.ok.${childId}`, `a.no.${childId}`]);
    // The other township's supervisor gets no card.
    expect(await database.db.select().from(outbox).where(and(eq(outbox.kind, 'registration.approval'), eq(outbox.staffId, world.staffId('钱督导员'))))).toHaveLength(0);

    const outcome = await press('赵督导员', `a.ok.${childId}`);
    expect(richToPlain(outcome.replies[0]!.text)).toBe('已批准：张小花，已加入李主任的名单，首次走访今天到期。');
    expect(outcome.toast).toBe('已批准');
    // The card is rewritten as decided, without buttons.
    expect(richToPlain(outcome.resolved!.text)).toMatch(/张小花[\s\S]*→ 已批准$/);
    expect(outcome.resolved!.buttons).toBeUndefined();
    const [child] = await database.db.select().from(children).where(eq(children.id, childId));
    expect(child).toMatchObject({ status: 'active', nextVisitDue: '2026-11-23', guardianRelation: '祖父', guardianPhone: '13900139000', categories: ['in_distress'], riskLevel: 'orange' });
    const [assignment] = await database.db.select().from(assignments).where(eq(assignments.childId, childId));
    expect(assignment!.staffId).toBe(world.staffId('李主任'));
    const told = await database.db.select().from(outbox).where(and(eq(outbox.kind, 'registration.approved'), eq(outbox.staffId, world.staffId('李主任'))));
    expect(richToPlain((told[0]!.payload as unknown as OutMessage).text)).toContain('张小花');

    // Pressed again (a second supervisor, or a double tap): already decided, nothing changes.
    const again = await press('赵督导员', `a.no.${childId}`);
    expect(richToPlain(again.replies[0]!.text)).toBe('张小花的登记已经处理过了（在册）。');
    const [still] = await database.db.select().from(children).where(eq(children.id, childId));
    expect(still!.status).toBe('active');
  });

  it('refuses forged and out-of-scope presses, and records them', async () => {
    const childId = await register('王主任', '刘小雨', '2015-02-02', '杏花村');
    const caseworker = await press('王主任', `a.ok.${childId}`);
    expect(richToPlain(caseworker.replies[0]!.text)).toBe('你没有审核这条登记的权限。');
    const otherTownship = await press('钱督导员', `a.ok.${childId}`);
    expect(richToPlain(otherTownship.replies[0]!.text)).toBe('你没有审核这条登记的权限。');
    for (const forged of ['a.ok.abc', 'a.ok.0', 'a.zz.1', `a.ok.${childId}9999`]) {
      const outcome = await press('赵督导员', forged);
      expect(outcome.toast ?? richToPlain(outcome.replies[0]!.text)).toBe('你没有审核这条登记的权限。');
    }
    const [child] = await database.db.select().from(children).where(eq(children.id, childId));
    expect(child!.status).toBe('pending');
    const trail = await database.db.select({ action: auditLog.action, actor: auditLog.actorStaffId }).from(auditLog).where(eq(auditLog.childId, childId));
    expect(trail).toEqual(
      expect.arrayContaining([
        { action: 'child.register', actor: world.staffId('王主任') },
        { action: 'child.approve.denied', actor: world.staffId('王主任') },
        { action: 'child.denied', actor: world.staffId('钱督导员') },
      ]),
    );

    const rejected = await press('赵督导员', `a.no.${childId}`);
    expect(richToPlain(rejected.replies[0]!.text)).toBe('已退回：刘小雨的登记。已告知王主任。');
    const [after] = await database.db.select().from(children).where(eq(children.id, childId));
    expect(after!.status).toBe('rejected');
    expect(await database.db.select().from(assignments).where(eq(assignments.childId, childId))).toHaveLength(0);
  });

  it('shows the supervisor a possible duplicate of a child already on the roster', async () => {
    // 王小明 (2010-01-01, 柳树村) is on the demo roster.
    const childId = await register('李主任', '王小明', '2010-01-01', '柳树村');
    const shown = richToPlain((await cardFor(childId, '赵督导员')).text);
    expect(shown).toContain('⚠️ 可能重复（同名同出生日期、同一地区）：');
    expect(shown).toMatch(/王小明（编号\d+，柳树村，在册）/);
  });

  it('stops a caseworker deactivated in the middle of the form at their next message', async () => {
    await driver.say('孙主任', '/register');
    const asked = await driver.say('孙主任', '石头');
    expect(text(asked)).toContain('性别？');
    const admin = adminHarness(database.db);
    expect((await admin.run('staff', 'deactivate', String(world.staffId('孙主任')))).code).toBe(0);
    const after = await driver.press('孙主任', '男');
    expect(text(after)).not.toContain('出生日期');
    const next = await driver.say('孙主任', '2015-01-01');
    expect(text(next)).not.toContain('住在哪个村');
    expect(await database.db.select().from(children).where(eq(children.name, '石头'))).toHaveLength(0);
  });

  it('speaks English to a caseworker whose language is English', async () => {
    await database.db.update(staff).set({ locale: 'en' }).where(eq(staff.id, world.staffId('王主任')));
    try {
      expect(text(await driver.say('王主任', '/register'))).toContain("Register a newly found child — the child's name?");
      expect(text(await driver.say('王主任', 'Li Lei'))).toContain('Sex?');
      expect(text(await driver.press('王主任', 'boy'))).toContain('Date of birth?');
      expect(text(await driver.say('王主任', '2016-05-05'))).toContain('Which village');
      await driver.press('王主任', '杏花村');
      await driver.press('王主任', 'migrant child');
      expect(text(await driver.press('王主任', 'Done'))).toContain("The guardian's name?");
      await driver.say('王主任', 'Li Gang');
      await driver.press('王主任', 'father');
      await driver.say('王主任', '13912345678');
      const summary = text(await driver.press('王主任', 'green'));
      expect(summary).toContain('Li Lei, boy, born');
      expect(summary).toContain('Guardian: Li Gang (father) 139****5678');
      expect(summary).not.toContain('13912345678');
      expect(text(await driver.press('王主任', 'Submit'))).toContain('Registration sent: Li Lei. Waiting for approval (told: 赵督导员).');
      const [child] = await database.db.select().from(children).where(eq(children.name, 'Li Lei'));
      expect(child).toMatchObject({ status: 'pending', guardianRelation: '父亲', categories: ['migrant'], riskLevel: 'green' });
    } finally {
      await database.db.update(staff).set({ locale: null }).where(eq(staff.id, world.staffId('王主任')));
    }
  });

  it('checks the birth date: impossible, in the future, an adult; full-width digits are fine', async () => {
    await driver.say('李主任', '/register');
    await driver.say('李主任', '赵一');
    await driver.press('李主任', '男');
    expect(text(await driver.say('李主任', '2015-02-30'))).toContain('没看懂这个日期');
    expect(text(await driver.say('李主任', '2030-01-01'))).toContain('出生日期不能晚于今天');
    expect(text(await driver.say('李主任', '1990-01-01'))).toContain('已满18周岁的不属于儿童');
    expect(text(await driver.say('李主任', '２０１５年１月１日'))).toContain('住在哪个村');
    await driver.say('李主任', '/cancel');
  });
});
