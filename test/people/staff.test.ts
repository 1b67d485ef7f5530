import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForIdentity } from '../../src/db/actor.js';
import type { Database } from '../../src/db/client.js';
import { redeemInvite } from '../../src/db/invites.js';
import { assignments, auditLog, children, outbox, staff } from '../../src/db/schema.js';
import { enqueue } from '../../src/db/outbox.js';
import { message } from '../../src/bot/message.js';
import { databaseTargets } from '../support/db.js';
import { addStaff, adminHarness, fakeBotApi, makeIdNumber, testAreasCsv } from './harness.js';

const codeOf = (out: string) => /邀请码：(\w+)/.exec(out)![1]!;
const staffIdOf = (out: string) => Number(/人员编号 (\d+)/.exec(out)![1]);

describe.each(databaseTargets())('invites and staff ($name)', (target) => {
  let database: Database;
  let admin: ReturnType<typeof adminHarness>;
  let now = new Date('2026-11-23T03:00:00Z');
  beforeAll(async () => {
    database = await target.open();
    admin = adminHarness(database.db, { now: () => now });
    await admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv));
  });
  afterAll(() => database.close());

  const redeem = (code: string, externalId: string) =>
    database.db.transaction((tx) => redeemInvite(tx, { channel: 'local', externalId, chatId: externalId, code, now }));

  it('creates a named staff record and a one-time code that binds a messenger account once', async () => {
    const result = await admin.run('invite', '--role', 'caseworker', '--area', '440103001001', '--name', '李梅');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/邀请：李梅，儿童主任，沙面社区 \(440103001001\)，人员编号 (\d+)/);
    expect(result.out).toContain('有效期至 2026-12-07 11:00:00（Asia/Shanghai），只能使用一次。');
    const staffId = staffIdOf(result.out);
    const code = codeOf(result.out);
    // Typed on a phone: lower case with a space is the same code.
    const redeemed = await redeem(`${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`, 'u-li');
    expect(redeemed).toEqual({ ok: true, staffId, name: '李梅' });
    expect(await actorForIdentity(database.db, 'local', 'u-li')).toMatchObject({ staffId, role: 'caseworker', areaCode: '440103001001' });
    expect(await redeem(code, 'u-other')).toEqual({ ok: false, reason: 'used' });
  });

  it('lets an invite expire after --days', async () => {
    const result = await admin.run('invite', '--role', 'supervisor', '--area', '440103001', '--days', '1');
    const code = codeOf(result.out);
    now = new Date(now.getTime() + 2 * 86_400_000);
    try {
      expect(await redeem(code, 'u-late')).toEqual({ ok: false, reason: 'expired' });
    } finally {
      now = new Date('2026-11-23T03:00:00Z');
    }
  });

  it('prints a Telegram deep link with the bot name from getMe, and /start <code> when Telegram is unreachable', async () => {
    const api = await fakeBotApi();
    try {
      const withBot = adminHarness(database.db, { now: () => now, env: { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: api.root } });
      const result = await withBot.run('invite', '--role', 'caseworker', '--area', '440103001002');
      expect(result.out).toContain(`Telegram：打开 https://t.me/county_caseworker_bot?start=${codeOf(result.out)}`);
      expect(api.calls).toEqual(['/bot123:abc/getMe']);
    } finally {
      await api.close();
    }
    const unreachable = adminHarness(database.db, { env: { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: api.root } });
    const result = await unreachable.run('invite', '--role', 'caseworker', '--area', '440103001002');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`给机器人发送  /start ${codeOf(result.out)}`);
  });

  it('refuses bad invites clearly', async () => {
    expect(await admin.run('invite', '--role', 'caseworker', '--area', '123')).toMatchObject({ code: 1, err: expect.stringContaining('没有代码为 123 的地区') });
    expect(await admin.run('invite', '--area', '440103001001')).toMatchObject({ code: 2, err: expect.stringContaining('缺少 --role') });
    expect(await admin.run('invite', '--role', 'boss', '--area', '440103001001')).toMatchObject({ code: 2, err: expect.stringContaining('--role 只能是 caseworker, supervisor, admin 之一') });
    expect(await admin.run('invite', '--staff', '9999')).toMatchObject({ code: 1, err: expect.stringContaining('没有编号为 9999 的人员') });
    expect(await admin.run('invite', '--staff', '不存在')).toMatchObject({ code: 1, err: expect.stringContaining('没有叫“不存在”的人员') });
    expect(await admin.run('invite', '--role', 'caseworker', '--area', '440103001001', '--days', '0')).toMatchObject({ code: 2 });
    expect(await admin.run('invite', '--role', 'caseworker', '--area', '440103001001', '--days', '91')).toMatchObject({ code: 2, err: expect.stringContaining('--days 最多 90') });
  });

  it('deactivates a person: their messenger account stops working at once, and can be reactivated', async () => {
    const invite = await admin.run('invite', '--role', 'caseworker', '--area', '440103001002', '--name', '王强');
    const staffId = staffIdOf(invite.out);
    await redeem(codeOf(invite.out), 'u-wang');
    expect(await actorForIdentity(database.db, 'local', 'u-wang')).toBeDefined();
    const [queued] = await enqueue(database.db, [{ kind: 'reminder', staffId, channel: 'local', chatId: 'u-wang', message: message('明天走访：王小明') }]);
    // By name: the one 王强.
    const result = await admin.run('staff', 'deactivate', '王强');
    const [dropped] = await database.db.select().from(outbox).where(eq(outbox.id, queued!));
    expect(dropped!.status).toBe('cancelled');
    expect(result).toMatchObject({ code: 0, out: `王强（${staffId}）已停用：其聊天账号不再可用。` });
    expect(await actorForIdentity(database.db, 'local', 'u-wang')).toBeUndefined();
    expect(await admin.run('staff', 'deactivate', String(staffId))).toMatchObject({ code: 1, err: expect.stringContaining(`人员 ${staffId} 已经停用`) });
    const list = await admin.run('staff', 'list', '--area', '440103001', '--all');
    expect(list.out.split('\n')[0]).toMatch(/^编号\s+姓名\s+角色\s+地区\s+渠道\s+名单人数\s+在职$/);
    expect(list.out).toMatch(/王强\s+儿童主任\s+沙基社区 440103001002\s+local\s+0\s+否/);
    expect(await admin.run('staff', 'activate', String(staffId))).toMatchObject({ code: 0 });
    expect(await actorForIdentity(database.db, 'local', 'u-wang')).toBeDefined();
  });

  it('moves a whole caseload in one command, keeping the history', async () => {
    const from = await addStaff(database.db, '旧主任', 'caseworker', '440103002001');
    const to = await addStaff(database.db, '新主任', 'caseworker', '440103002001');
    const rows = ['姓名,出生日期,身份证号,村(社区)代码,儿童主任'];
    for (let i = 0; i < 5; i++) rows.push(`孩子${i},2015-01-0${i + 1},${makeIdNumber('440103', `2015-01-0${i + 1}`, 300 + i)},440103002001,${from}`);
    await admin.run('import-roster', admin.file('load.csv', rows.join('\n')), '--apply');
    const deactivated = await admin.run('staff', 'deactivate', String(from));
    expect(deactivated.out).toContain(`仍有 5 名儿童分配给此人。转移：npm run -s admin -- staff reassign --from ${from} --to <编号>`);
    // Names work as well as ids.
    const result = await admin.run('staff', 'reassign', '--from', '旧主任', '--to', '新主任');
    expect(result).toMatchObject({ code: 0, out: `已把 5 名儿童从人员 ${from} 转给人员 ${to}。` });
    const current = await database.db.select().from(assignments).where(isNull(assignments.endedAt));
    expect(current.filter((a) => a.staffId === from)).toHaveLength(0);
    expect(current.filter((a) => a.staffId === to)).toHaveLength(5);
    const ended = await database.db.select().from(assignments).where(and(eq(assignments.staffId, from)));
    expect(ended.every((a) => a.endedAt !== null)).toBe(true);
    const [child] = await database.db.select().from(children).where(eq(children.name, '孩子0'));
    const trail = await database.db.select().from(auditLog).where(and(eq(auditLog.childId, child!.id), eq(auditLog.action, 'assignment.reassign')));
    expect(trail[0]!.detail).toEqual({ from, to });
    expect(await admin.run('staff', 'reassign', '--from', String(to), '--to', String(from))).toMatchObject({ code: 1, err: expect.stringContaining(`人员 ${from} 已停用`) });
    expect(await admin.run('staff', 'reassign', '--from', String(to), '--to', String(to))).toMatchObject({ code: 1 });
    expect(await admin.run('staff', 'reassign', '--from', String(to))).toMatchObject({ code: 2 });
    const [{ active } = { active: true }] = await database.db.select({ active: staff.active }).from(staff).where(eq(staff.id, from));
    expect(active).toBe(false);
  });
});

describe.each(databaseTargets())('naming a person on the command line ($name)', (target) => {
  let database: Database;
  beforeAll(async () => {
    database = await target.open();
    await adminHarness(database.db).run('areas', 'import', adminHarness(database.db).file('areas.csv', testAreasCsv));
  });
  afterAll(() => database.close());

  it('lists namesakes to pick from: by number at a terminal, with exit code 1 and the ids in a script', async () => {
    const first = await addStaff(database.db, '张丽', 'caseworker', '440103001001');
    const second = await addStaff(database.db, '张丽', 'supervisor', '440103002');
    const script = adminHarness(database.db);
    const refused = await script.run('staff', 'deactivate', '张丽');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('有 2 个匹配“张丽”：');
    expect(refused.err).toContain(`1. 张丽（编号 ${first}，儿童主任，沙面社区 440103001001）`);
    expect(refused.err).toContain(`2. 张丽（编号 ${second}，督导员，岭南街道 440103002）`);
    expect(refused.err).toContain('有多个匹配“张丽”，请改用编号');
    const [still] = await database.db.select().from(staff).where(eq(staff.id, first));
    expect(still!.active).toBe(true);

    const person = adminHarness(database.db, { answers: ['2'] });
    expect(await person.run('staff', 'deactivate', '张丽')).toMatchObject({ code: 0, out: `张丽（${second}）已停用：其聊天账号不再可用。` });
    const cancelled = adminHarness(database.db, { answers: [''] });
    expect(await cancelled.run('staff', 'activate', '张丽')).toMatchObject({ code: 1, err: expect.stringContaining('已取消，没有做任何修改。') });
    // Part of a name finds the person when no one has exactly that name.
    const invite = await script.run('invite', '--staff', '丽', '--lang', 'en');
    expect(invite.code).toBe(1);
    expect(invite.err).toContain('2 match "丽":');
  });
});
