// Issue 11, findings 3 and 6: everything a button can name goes through one scoped lookup, refusals are audited and
// read the same whether the thing exists or not; area scoping is a prefix match that no character in a code widens.
// Driven through the real service: Telegram users (real grammY against the fake Bot API) pressing forged buttons.
import { and, eq, sql } from 'drizzle-orm';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, auditLog, children, staff, areas } from '../../src/db/schema.js';
import { SecureService } from './service.js';

const REFUSED = '找不到这个儿童，或你无权查看。请从名单中选择。';

describe('issue 11 · scoped lookups', () => {
  let service: SecureService;
  let wang: User;
  /** A child on 李主任's caseload: 王主任 (same township, other village) may not see it. */
  let child: { id: number; name: string };

  beforeAll(async () => {
    service = await SecureService.start();
    const li = await service.staffId('李主任');
    const [row] = await service.db
      .select({ id: children.id, name: children.name })
      .from(assignments)
      .innerJoin(children, eq(children.id, assignments.childId))
      .where(eq(assignments.staffId, li))
      .limit(1);
    child = row!;
    wang = await service.telegramUser(await service.staffId('王主任'));
  });
  afterAll(() => service.stop());

  const denials = async (staffId: number) =>
    (await service.db.select().from(auditLog).where(and(sql`${auditLog.action} like '%.denied'`, eq(auditLog.actorStaffId, staffId)))).length;
  const said = (s: { texts: string[]; toast: string | undefined }) => [...s.texts, s.toast ?? ''].join('\n');

  it('finding 3: a snooze button for a child out of scope names nobody, reads like an unknown child, and is audited', async () => {
    const wangId = await service.staffId('王主任');
    const before = await denials(wangId);
    const outside = said(await service.pressData(wang, `rm.snooze.${child.id}.1`));
    const unknown = said(await service.pressData(wang, 'rm.snooze.987654.1'));
    expect(outside).not.toContain(child.name);
    expect(outside).toContain(REFUSED);
    expect(unknown).toBe(outside);
    // A search for the same child answers "not found" too; the button gives no more away than the search.
    await service.say(wang, '/status');
    expect(said(await service.say(wang, child.name))).toContain('没有找到');
    await service.say(wang, '/cancel');
    expect(await denials(wangId)).toBe(before + 2);
    const [audited] = await service.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'child.denied'), eq(auditLog.actorStaffId, wangId), eq(auditLog.childId, child.id)));
    expect(audited).toBeDefined();
  });

  it('finding 3: visit, report and approval buttons answer the same for "not yours" and "no such thing"', async () => {
    const wangId = await service.staffId('王主任');
    const zhao = await service.telegramUser(await service.staffId('钱督导员'));
    for (const [who, data] of [
      [wang, 'v.start.'],
      [wang, 'r.start.'],
      [zhao, 'a.ok.'],
    ] as const) {
      const outside = said(await service.pressData(who, `${data}${child.id}`));
      const unknown = said(await service.pressData(who, `${data}987654`));
      expect(outside, data).not.toContain(child.name);
      expect(unknown, data).toBe(outside);
    }
    expect(await denials(wangId)).toBeGreaterThanOrEqual(4);
  });

  it('finding 6: `_`, `%` and `\\` in area codes do not widen a supervisor\'s scope', async () => {
    const db = service.db;
    // Each supervisor's code, read as a LIKE pattern, would match the neighbour's path.
    const pairs: [supervised: string, neighbour: string][] = [
      ['NGO_A', 'NGOXA'],
      ['N%', 'NB'],
      ['N\\', 'N'],
    ];
    for (const [mine, theirs] of pairs) {
      await db.insert(areas).values([
        { code: mine, name: `区${mine}`, level: 'county', parentCode: null, path: `/${mine}/` },
        { code: theirs, name: `区${theirs}`, level: 'county', parentCode: null, path: `/${theirs}/` },
      ]).onConflictDoNothing();
    }
    for (const [mine, theirs] of pairs) {
      const [sup] = await db.insert(staff).values({ name: `督导${mine}`, role: 'supervisor', areaCode: mine }).returning({ id: staff.id });
      const name = `邻区儿童${theirs.length}${theirs.charCodeAt(theirs.length - 1)}`;
      const [kid] = await db.insert(children).values({ name, areaCode: theirs, guardianPhone: '13912345678' }).returning({ id: children.id });
      const user = await service.telegramUser(sup!.id);
      const forged = said(await service.pressData(user, `v.start.${kid!.id}`));
      expect(forged, mine).toContain(REFUSED);
      expect(forged, mine).not.toContain(name);
      await service.say(user, '/status');
      const searched = said(await service.say(user, name));
      expect(searched, mine).toContain('没有找到');
      await service.say(user, '/cancel');
    }
  });
});
