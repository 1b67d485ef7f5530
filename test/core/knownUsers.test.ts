// Issue 13: an update computed from what the instance knew of its user, sent with a guard in one round trip. Two
// instances (two cores on one PostgreSQL server, each with its own knowledge) take turns serving one caseworker, as
// a load balancer would route them; whatever the other instance or an administrator changed in between, the guard
// refuses the stale computation and the update is redone from a fresh read: the same answers, stored once, nobody
// acting as someone they no longer are.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/bot/core.js';
import type { Inbound } from '../../src/bot/inbound.js';
import { richToPlain, type OutMessage } from '../../src/bot/message.js';
import type { Outcome } from '../../src/bot/outcome.js';
import type { Database } from '../../src/db/client.js';
import { assignments, auditLog, children, conversations, processedInbound, staff, visits } from '../../src/db/schema.js';
import { testCore } from '../support/core.js';
import { databaseTargets } from '../support/db.js';
import { demoWorld, TestClock } from '../support/world.js';

const server = databaseTargets().find((t) => t.name === 'postgres');
const KID = 1; // 王小明, on 李主任's caseload

describe.runIf(server)('updates from known state, across two instances (real PostgreSQL)', () => {
  let database: Database;
  let a: BotCore;
  let b: BotCore;
  let user: string;
  let shown: OutMessage[];
  let next = 0;
  let clock: TestClock;

  beforeEach(async () => {
    database = await server!.openDemo();
    const world = await demoWorld(database.db);
    clock = new TestClock();
    a = testCore(database.db, { clock: clock.now });
    b = testCore(database.db, { clock: clock.now });
    user = `staff:${world.staffId('李主任')}`;
    shown = [];
  });
  afterEach(() => database.close());

  const send = async (core: BotCore, event: Inbound['event'], id = `ku-${++next}`): Promise<Outcome> => {
    const outcome = await core.handle({ channel: 'local', id, userId: user, chatId: user, event });
    shown.push(...(outcome.resolved ? [outcome.resolved] : []), ...outcome.replies);
    return outcome;
  };
  const press = (core: BotCore, label: string) => {
    for (let i = shown.length - 1; i >= 0; i--) {
      const button = (shown[i]!.buttons ?? []).flat().find((x) => x.label.includes(label));
      if (button) return send(core, { kind: 'button', data: button.data });
    }
    throw new Error(`no button "${label}"`);
  };
  const text = (o: Outcome) => o.replies.map((r) => richToPlain(r.text)).join('\n');
  /** The visits logged in the test (the demo county has some of its own). */
  const visitsOfAll = async () => database.db.select().from(visits).where(eq(visits.childId, KID)).orderBy(sql`${visits.visitedOn} desc`);
  const visitsOf = async () => database.db.select().from(visits).where(and(eq(visits.childId, KID), sql`${visits.ref} not like 'ZF-DEMO-%'`));

  /** 李主任, on `a`: a routine visit of 王小明 up to its summary (today, at home, seen, nothing changed). */
  const routineToSummary = async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    for (const label of ['今天', '入户', '见到本人，情况无变化']) await press(a, label);
  };

  it('computes a known user’s updates from what it knew, without reading first', async () => {
    await routineToSummary();
    const saved = await press(a, '确认提交');
    expect(text(saved)).toContain('✅ 已保存');
    // Choosing the date reads nothing: one statement, as is the kind; the summary reads the visit policy on its first
    // use; the confirmation stores the visit with the guard and the draft's end, one statement too.
    expect(a.updates).toEqual({ read: 1, guarded: 4, alone: 3, readAhead: 0, tripped: 0 });
    expect(await visitsOf()).toHaveLength(1);
  });

  /** The transaction that wrote each row (its xmin): the visit, the draft it ended, the update id, the audit row. */
  const writers = async (visitRef: string, updateKey: string) => {
    const rows = (await database.db.execute(sql`select
        (select xmin::text from visits where ref = ${visitRef}) as visit,
        (select xmin::text from conversations where id = (select id from conversations where staff_id = (select staff_id from visits where ref = ${visitRef}) order by updated_at desc limit 1)) as draft,
        (select xmin::text from processed_inbound where key = ${updateKey}) as inbound,
        (select xmin::text from audit_log where action = 'visit.create' and detail->>'ref' = ${visitRef}) as audit,
        (select count(*)::int from audit_log where action = 'visit.create' and detail->>'ref' = ${visitRef}) as audits`)) as unknown as Record<string, unknown>[];
    return rows[0]!;
  };
  const refCounter = async () => Number(((await database.db.execute(sql`select coalesce(sum(last), 0)::int as n from ref_counters where prefix = 'ZF'`)) as unknown as { n: number }[])[0]!.n);

  it('stores the visit, the draft’s end and the update id as one statement: the confirmation is one transaction', async () => {
    await routineToSummary();
    const counted = await refCounter();
    const before = { ...a.updates };
    expect(text(await press(a, '确认提交'))).toContain('✅ 已保存');
    expect({ alone: a.updates.alone - before.alone, tripped: a.updates.tripped - before.tripped }).toEqual({ alone: 1, tripped: 0 });
    const [visit] = await visitsOf();
    const w = await writers(visit!.ref, `local:ku-${next}`);
    expect(w.audits).toBe(1);
    expect(new Set([w.visit, w.draft, w.inbound, w.audit]).size).toBe(1);
    expect(await refCounter()).toBe(counted + 1);
    const [draft] = await database.db.select().from(conversations).where(eq(conversations.staffId, visit!.staffId)).orderBy(sql`${conversations.updatedAt} desc`).limit(1);
    expect(draft!.status).toBe('done');
  });

  it('rolls the whole confirmation back when the child changed meanwhile, then stores the visit once, the ordinary way', async () => {
    await routineToSummary();
    const counted = await refCounter();
    // Meanwhile an administrator corrects the child's record: the row's stamp moves past what `a` holds.
    await database.db.update(children).set({ guardianPhone: '13800000000' }).where(eq(children.id, KID));
    expect(text(await press(a, '确认提交'))).toContain('✅ 已保存');
    expect(a.updates.tripped).toBe(1);
    // The refused statement took nothing with it: one visit, one audit row, one reference number used.
    const stored = await visitsOf();
    expect(stored).toHaveLength(1);
    const w = await writers(stored[0]!.ref, `local:ku-${next}`);
    expect(w.audits).toBe(1);
    expect(new Set([w.visit, w.draft, w.inbound, w.audit]).size).toBe(1);
    expect(await refCounter()).toBe(counted + 1);
  });

  /** The first child the caseload page offers (overdue first), and its id. */
  const firstOffered = () => {
    const button = (shown.at(-1)!.buttons ?? []).flat()[0]!;
    return { label: button.label.split(' · ')[0]!, id: Number(/c(\d+)$/.exec(button.data)![1]) };
  };
  const visitsAbout = async (id: number) => database.db.select().from(visits).where(and(eq(visits.childId, id), sql`${visits.ref} not like 'ZF-DEMO-%'`));

  it('takes the child chosen from the caseload page it offered without reading it, and stores the visit about it', async () => {
    await send(a, { kind: 'text', text: '/visit' });
    const offered = firstOffered();
    const chosen = await press(a, offered.label);
    expect(text(chosen)).toContain(offered.label);
    await press(a, '今天');
    await press(a, '入户');
    await press(a, '见到本人');
    await press(a, '情况无变化');
    expect(text(await press(a, '确认提交'))).toContain('✅ 已保存');
    // The page was read with the first update; the child chosen from it, the date, the kind and the confirmation went
    // as one statement each (the summary read the visit policy on its first use).
    expect(a.updates).toEqual({ read: 1, guarded: 6, alone: 5, readAhead: 0, tripped: 0 });
    expect(await visitsAbout(offered.id)).toHaveLength(1);
  });

  /** 李主任 logs a routine visit of 王小明 on `a`, so that `a` knows them with no draft. */
  const routineVisit = async () => {
    await routineToSummary();
    expect(text(await press(a, '确认提交'))).toContain('✅ 已保存');
  };

  it('asks a known user’s first question with its caseload page, the guard and the new draft in one transaction; a further page is read ahead of the guard', async () => {
    await routineVisit();
    const before = { ...a.updates };
    await send(a, { kind: 'text', text: '/visit' });
    const delta = () => ({ guarded: a.updates.guarded - before.guarded, readAhead: a.updates.readAhead - before.readAhead, alone: a.updates.alone - before.alone, tripped: a.updates.tripped - before.tripped });
    expect(delta()).toEqual({ guarded: 1, readAhead: 0, alone: 1, tripped: 0 });
    expect(firstOffered().label).not.toBe('');
    const [draft] = await database.db.select({ flow: conversations.flow, tx: sql<string>`xmin::text` }).from(conversations).where(eq(conversations.status, 'active'));
    const [inbound] = await database.db.select({ tx: sql<string>`xmin::text` }).from(processedInbound).where(eq(processedInbound.key, `local:ku-${next}`));
    expect(draft!.flow).toBe('visit');
    expect(draft!.tx).toBe(inbound!.tx);
    // The next page is not the turn's last word (the question is shown in place of the first): read ahead of the guard.
    await press(a, '更多');
    expect(delta()).toEqual({ guarded: 2, readAhead: 1, alone: 2, tripped: 0 });
    // A child chosen from that page is taken unread, as from a page read in a transaction.
    const offered = firstOffered();
    expect(text(await press(a, offered.label))).toContain(offered.label);
    expect(delta()).toEqual({ guarded: 3, readAhead: 1, alone: 3, tripped: 0 });
  });

  it('shows no page to someone deactivated meanwhile: the guard folded with it refuses, and the update is done from a fresh read', async () => {
    await routineVisit();
    await database.db.update(staff).set({ active: false }).where(eq(staff.name, '李主任'));
    const before = { ...a.updates };
    const after = await send(a, { kind: 'text', text: '/visit' });
    expect(a.updates.tripped - before.tripped).toBe(1);
    expect(after.replies.flatMap((r) => (r.buttons ?? []).flat())).toEqual([]);
    expect(text(after)).toBe('你好！这是儿童关爱工作助手，只供受邀的工作人员使用。请输入管理员给你的邀请码（8位字母数字）。');
    expect(await database.db.select().from(conversations).where(eq(conversations.status, 'active'))).toHaveLength(0);
  });

  it('shows an empty caseload page read with the guard as no children, only the way to name one', async () => {
    await routineVisit();
    const [worker] = await database.db.select().from(staff).where(eq(staff.name, '李主任'));
    await database.db.update(assignments).set({ endedAt: new Date() }).where(and(eq(assignments.staffId, worker!.id), isNull(assignments.endedAt)));
    await database.db.update(children).set({ registeredBy: null }).where(eq(children.registeredBy, worker!.id));
    await send(a, { kind: 'text', text: '/report' });
    const before = { ...a.updates };
    const asked = await press(a, '否');
    expect(a.updates.alone - before.alone).toBe(1);
    const ops = asked.replies.flatMap((r) => (r.buttons ?? []).flat()).map((b) => b.data.split('.').pop());
    expect(ops.filter((op) => /^c\d+$/.test(op ?? ''))).toEqual([]);
    expect(ops).toContain('u');
  });

  it('reads a child chosen from a page shown long ago: the page’s rows are not kept past ten minutes', async () => {
    await send(a, { kind: 'text', text: '/visit' });
    const offered = firstOffered();
    clock.advance(11 * 60_000);
    const chosen = await press(a, offered.label);
    expect(text(chosen)).toContain(offered.label);
    expect(a.updates).toEqual({ read: 1, guarded: 1, alone: 0, readAhead: 0, tripped: 0 }); // guarded, but the child was read
  });

  it('refuses a child chosen from the page once it left the caseload, and records the refusal', async () => {
    await send(a, { kind: 'text', text: '/visit' });
    const offered = firstOffered();
    await database.db.update(assignments).set({ endedAt: new Date() }).where(and(eq(assignments.childId, offered.id), isNull(assignments.endedAt)));
    const refused = await press(a, offered.label);
    expect(a.updates.tripped).toBe(1);
    expect(text(refused)).toContain('找不到这个儿童，或你无权查看');
    const denied = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'child.denied'), eq(auditLog.childId, offered.id)));
    expect(denied).toHaveLength(1);
    const [draft] = await database.db.select().from(conversations).where(eq(conversations.status, 'active'));
    expect(draft!.answers.child).toBeUndefined();
  });

  it('reads a child chosen from the page afresh when it changed after the page was shown', async () => {
    await send(a, { kind: 'text', text: '/visit' });
    const offered = firstOffered();
    await database.db.update(children).set({ riskLevel: 'red' }).where(eq(children.id, offered.id));
    const chosen = await press(a, offered.label);
    expect(a.updates.tripped).toBe(1);
    expect(text(chosen)).toContain('🔴');
  });

  it('redoes an update from a fresh read when the other instance moved the draft on', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    await press(a, '今天');
    await press(b, '入户'); // the other instance: the draft's version moves past what `a` knew
    const summary = await press(a, '见到本人，情况无变化');
    expect(a.updates.tripped).toBe(1);
    expect(text(summary)).toContain('王小明 · 11月23日 · 入户 · 见到本人');
    await press(a, '确认提交');
    expect(await visitsOf()).toHaveLength(1);
  });

  it('refuses the child once it left the caseworker’s caseload, though the instance still held it', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    await press(a, '今天');
    await database.db.update(assignments).set({ endedAt: new Date() }).where(and(eq(assignments.childId, KID), isNull(assignments.endedAt)));
    await press(a, '入户');
    expect(a.updates.tripped).toBe(1);
    // As on the ordinary path: the next step that reads the child (the summary) refuses it, and nothing is stored.
    const refused = await press(a, '见到本人，情况无变化');
    expect(text(refused)).toBe('找不到这个儿童，或你无权查看。请从名单中选择。');
    expect(await visitsOf()).toHaveLength(0);
  });

  it('reads the child afresh when it changed (its risk level raised elsewhere) and shows the new level', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    await press(a, '今天');
    await press(a, '入户');
    await database.db.update(children).set({ riskLevel: 'red' }).where(eq(children.id, KID));
    const summary = await press(a, '见到本人，情况无变化');
    expect(a.updates.tripped).toBe(1);
    // "Nothing changed" carries the child's level as it is now, not as the instance last saw it.
    expect(text(summary)).toContain('🔴');
  });

  /** The township supervisor logs a routine visit of 王小明 today, on the other instance. */
  const supervisorLogsRoutineVisit = async (): Promise<Outcome> => {
    const supervisor = `staff:${(await database.db.select().from(staff).where(eq(staff.name, '赵督导员')))[0]!.id}`;
    const asSupervisor = (event: Inbound['event']) => b.handle({ channel: 'local', id: `ku-${++next}`, userId: supervisor, chatId: supervisor, event });
    let last = await asSupervisor({ kind: 'text', text: '/visit 王小明' });
    for (const label of ['今天', '入户', '见到本人，情况无变化', '确认提交']) {
      const button = [...(last.resolved ? [last.resolved] : []), ...last.replies].flatMap((m) => (m.buttons ?? []).flat()).find((x) => x.label.includes(label))!;
      last = await asSupervisor({ kind: 'button', data: button.data });
    }
    return last;
  };

  it('keeps the child’s dates and level from a later visit logged while an earlier-dated one was being recorded', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    await send(a, { kind: 'text', text: '11月21日' }); // after the demo county's last visit: not back-dated when chosen
    await press(a, '入户');
    await press(a, '见到本人');
    await press(a, '有变化');
    await press(a, '风险等级');
    await press(a, '完成');
    await press(a, '红'); // this earlier-dated visit would raise the level to red
    expect(text(await supervisorLogsRoutineVisit())).toContain('✅ 已保存'); // meanwhile: a visit dated today
    const [before] = await database.db.select().from(children).where(eq(children.id, KID));
    expect(before!.lastVisitOn).toBe('2026-11-23');
    for (const label of ['确认提交']) await press(a, label);
    expect((await visitsOf()).map((v) => v.visitedOn).sort()).toEqual(['2026-11-21', '2026-11-23']);
    // The later visit still sets the child's last visit, next due date and level.
    const [after] = await database.db.select().from(children).where(eq(children.id, KID));
    expect({ last: after!.lastVisitOn, next: after!.nextVisitDue, risk: after!.riskLevel }).toEqual({ last: before!.lastVisitOn, next: before!.nextVisitDue, risk: before!.riskLevel });
  });

  it('carries over the visit another person logged meanwhile, not the latest visit it knew of', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' }); // the child is read with its latest visit (the demo county's)
    const [known] = await visitsOfAll();
    // Meanwhile the township supervisor logs a visit of the same child today, on the other instance.
    expect(text(await supervisorLogsRoutineVisit())).toContain('✅ 已保存');
    const today = (await visitsOf()).find((v) => v.visitedOn !== known!.visitedOn);
    expect(today).toBeDefined();
    await press(a, '今天');
    expect(a.updates.tripped).toBe(1); // the child row changed with the supervisor's visit
    await press(a, '入户');
    // "Compared with the last visit (<date>)": the supervisor's, today's, not the one the instance read first.
    const asked = await press(a, '见到本人');
    expect(text(asked)).toContain('11月23日');
    expect(text(asked)).not.toContain(`${Number(known!.visitedOn.slice(5, 7))}月${Number(known!.visitedOn.slice(8))}日`);
  });

  it('no longer acts for a caseworker who was deactivated, though the instance still knew them', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    const [before] = await database.db.select().from(conversations).where(eq(conversations.status, 'active'));
    await database.db.update(staff).set({ active: false }).where(eq(staff.name, '李主任'));
    const after = await press(a, '今天');
    expect(a.updates.tripped).toBe(1);
    expect(text(after)).toBe('你好！这是儿童关爱工作助手，只供受邀的工作人员使用。请输入管理员给你的邀请码（8位字母数字）。');
    const [draft] = await database.db.select().from(conversations).where(eq(conversations.id, before!.id));
    expect(draft!.version).toBe(before!.version); // nothing answered for them
  });

  it('treats a redelivery applied by the other instance as a duplicate', async () => {
    await send(a, { kind: 'text', text: '/visit 王小明' });
    await press(a, '今天');
    const data = (shown.at(-1)!.buttons ?? []).flat().find((x) => x.label.includes('入户'))!.data;
    await send(b, { kind: 'button', data }, 'delivered-twice');
    const again = await send(a, { kind: 'button', data }, 'delivered-twice');
    expect(again.duplicate).toBe(true);
    expect(a.updates.tripped).toBe(1);
  });

  it('lets one of two instances start a draft at once; the other finds it and asks about it', async () => {
    await send(a, { kind: 'text', text: '/menu' });
    await send(b, { kind: 'text', text: '/menu' });
    const [first, second] = await Promise.all([send(a, { kind: 'text', text: '/visit' }), send(b, { kind: 'text', text: '/report' })]);
    const [{ n }] = (await database.db.select({ n: sql<number>`count(*)::int` }).from(conversations).where(eq(conversations.status, 'active'))) as [{ n: number }];
    expect(n).toBe(1);
    const answers = [text(first), text(second)];
    expect(answers.some((t) => t.includes('系统暂时'))).toBe(false);
    expect(a.updates.tripped + b.updates.tripped).toBeGreaterThanOrEqual(1);
  });
});
