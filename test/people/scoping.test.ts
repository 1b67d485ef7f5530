// Who sees which child, by every path a message or a forged button can take: three roles, two townships, the
// caseworkers of two villages; and the same rule in the CLI's exports. Each refusal is on the audit log.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { richToPlain } from '../../src/bot/message.js';
import { loadConfig } from '../../src/config.js';
import { actorForStaff } from '../../src/db/actor.js';
import { caseloadPage, childScope, childScopeIn } from '../../src/db/children.js';
import type { Database } from '../../src/db/client.js';
import { assignments, auditLog, children, staff } from '../../src/db/schema.js';
import { registerApprovalActions } from '../../src/flows/register.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { coreText } from '../../src/i18n/core.js';
import { createLogger } from '../../src/logger.js';
import { CoreDriver } from '../support/chat.js';
import { databaseTargets } from '../support/db.js';
import { demoWorld, TestClock, type DemoWorld } from '../support/world.js';
import { adminHarness } from './harness.js';

const refused = coreText('zh-CN', 'child.notYours');

describe.each(databaseTargets())('scoping by every path ($name)', (target) => {
  let database: Database;
  let world: DemoWorld;
  let driver: CoreDriver;
  /** A child on each caseworker's caseload. */
  const childOf = new Map<string, { id: number; name: string }>();

  beforeAll(async () => {
    database = await target.open();
    world = await demoWorld(database.db);
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows(), clock: new TestClock().now, rateLimit: { burst: 1e6, perSecond: 1e6 } });
    registerApprovalActions(core);
    driver = new CoreDriver(core, world, database.db);
    for (const name of ['李主任', '王主任', '孙主任']) {
      const [row] = await database.db
        .select({ id: children.id, name: children.name })
        .from(assignments)
        .innerJoin(children, eq(children.id, assignments.childId))
        .where(eq(assignments.staffId, world.staffId(name)))
        .limit(1);
      childOf.set(name, row!);
    }
  });
  afterAll(() => database.close());

  const reply = async (speaker: string, data: string) => {
    const outcome = await driver.send(speaker, { kind: 'button', data });
    // Leave no draft behind for the next case: /cancel, then confirm discarding.
    const cancel = await driver.say(speaker, '/cancel');
    if (cancel.some((m) => m.buttons.includes(coreText('zh-CN', 'cancel.discard')))) await driver.press(speaker, coreText('zh-CN', 'cancel.discard'));
    return outcome.replies.map((r) => richToPlain(r.text)).join('\n');
  };
  const denials = async (speaker: string, childId: number) =>
    (await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'child.denied'), eq(auditLog.actorStaffId, world.staffId(speaker)), eq(auditLog.childId, childId)))).length;

  // [speaker, owner of the child, may see it]
  const cases: [string, string, boolean][] = [
    ['李主任', '李主任', true],
    ['李主任', '王主任', false], // same township, other village
    ['李主任', '孙主任', false], // other township
    ['赵督导员', '王主任', true], // 东风镇's supervisor: both its villages
    ['赵督导员', '孙主任', false], // …not 红星乡
    ['钱督导员', '李主任', false],
    ['钱督导员', '孙主任', true],
    ['周管理员', '王主任', true],
    ['周管理员', '孙主任', true],
  ];

  it.each(cases)('%s pressing forged "log a visit" / "report" buttons for a child of %s → allowed: %s', async (speaker, owner, allowed) => {
    const child = childOf.get(owner)!;
    for (const prefix of ['v.start.', 'r.start.']) {
      const before = await denials(speaker, child.id);
      const said = await reply(speaker, `${prefix}${child.id}`);
      if (allowed) expect(said).not.toContain(refused);
      else {
        expect(said).toContain(refused);
        expect(said).not.toContain(child.name);
        expect(await denials(speaker, child.id)).toBe(before + 1);
      }
    }
  });

  it('lists for each role exactly the children in scope', async () => {
    const seen = async (name: string) => {
      const actor = (await actorForStaff(database.db, world.staffId(name)))!;
      return new Set((await caseloadPage(database.db, actor, 0, 1000)).items.map((c) => c.id));
    };
    const all = (await database.db.select({ id: children.id, areaCode: children.areaCode }).from(children).where(eq(children.status, 'active'))).map((c) => c.id);
    const li = await seen('李主任');
    const zhao = await seen('赵督导员');
    const admin = await seen('周管理员');
    expect(li.has(childOf.get('李主任')!.id)).toBe(true);
    expect(li.has(childOf.get('王主任')!.id)).toBe(false);
    expect(zhao.has(childOf.get('王主任')!.id) && zhao.has(childOf.get('李主任')!.id)).toBe(true);
    expect(zhao.has(childOf.get('孙主任')!.id)).toBe(false);
    expect(admin.size).toBe(all.length);
  });

  it('the rule inside the first statement of an update (role known only there) admits exactly the same children', async () => {
    const ids = async (where: ReturnType<typeof childScope>) => new Set((await database.db.select({ id: children.id }).from(children).where(where)).map((c) => c.id));
    for (const name of ['李主任', '王主任', '赵督导员', '钱督导员', '周管理员']) {
      const actor = (await actorForStaff(database.db, world.staffId(name)))!;
      const inStatement = childScopeIn({ role: sql`${actor.role}::text`, staffId: sql`${actor.staffId}::int`, areaPath: sql`${actor.areaPath}::text` });
      const expected = await ids(childScope(actor));
      expect(expected.size).toBeGreaterThan(0);
      expect(await ids(inStatement)).toEqual(expected);
    }
  });

  it('a child taken off the caseload in the middle of a visit is refused at the next step, and the refusal is audited', async () => {
    const child = childOf.get('李主任')!;
    const staffId = world.staffId('李主任');
    await driver.send('李主任', { kind: 'button', data: `v.start.${child.id}` });
    const current = and(eq(assignments.childId, child.id), eq(assignments.staffId, staffId), isNull(assignments.endedAt));
    const [assignment] = await database.db.update(assignments).set({ endedAt: new Date() }).where(current).returning({ id: assignments.id });
    const before = await denials('李主任', child.id);
    try {
      const said = (await driver.press('李主任', '今天')).map((r) => r.text).join('\n');
      expect(said).toContain(refused);
      expect(said).not.toContain(child.name);
      // The update rolled back (its draft is as it was), but the attempt is on record, once.
      expect(await denials('李主任', child.id)).toBe(before + 1);
    } finally {
      await database.db.update(assignments).set({ endedAt: null }).where(eq(assignments.id, assignment!.id));
      const cancel = await driver.say('李主任', '/cancel');
      if (cancel.some((m) => m.buttons.includes(coreText('zh-CN', 'cancel.discard')))) await driver.press('李主任', coreText('zh-CN', 'cancel.discard'));
    }
  });

  it('applies the same rule to the CLI export run as a staff member', async () => {
    const admin = adminHarness(database.db);
    const zhao = world.staffId('赵督导员');
    const ok = await admin.run('export', 'children', '--area', '990101001', '--format', 'csv', '--as', String(zhao));
    expect(ok.out).toContain(childOf.get('王主任')!.name);
    expect(ok.out).not.toContain(childOf.get('孙主任')!.name);
    const outside = await admin.run('export', 'children', '--area', '990101002', '--format', 'csv', '--as', String(zhao));
    expect(outside.code).toBe(1);
    const [caseworker] = await database.db.select({ id: staff.id }).from(staff).where(eq(staff.name, '李主任'));
    expect((await admin.run('export', 'visits', '--area', '990101001001', '--format', 'csv', '--as', String(caseworker!.id))).code).toBe(1);
  });
});
