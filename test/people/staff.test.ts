import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorForIdentity } from '../../src/db/actor.js';
import type { Database } from '../../src/db/client.js';
import { redeemInvite } from '../../src/db/invites.js';
import { assignments, auditLog, children, outbox, staff } from '../../src/db/schema.js';
import { enqueue } from '../../src/db/outbox.js';
import { message } from '../../src/bot/message.js';
import { databaseTargets } from '../support/db.js';
import { addStaff, adminHarness, makeIdNumber, testAreasCsv } from './harness.js';

/** A stand-in for the Telegram Bot API on loopback: answers getMe like the real one. */
async function fakeBotApi(): Promise<{ root: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url?.endsWith('/getMe')) res.end(JSON.stringify({ ok: true, result: { id: 42, is_bot: true, first_name: 'Caseworker', username: 'county_caseworker_bot' } }));
    else res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { root: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const codeOf = (out: string) => /Code \(邀请码\): (\w+)/.exec(out)![1]!;

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
    expect(result.out).toMatch(/Invite for 李梅, caseworker, 沙面社区 \(440103001001\) — staff id (\d+)/);
    expect(result.out).toContain('Valid until 2026-11-30 11:00:00 (Asia/Shanghai)');
    const staffId = Number(/staff id (\d+)/.exec(result.out)![1]);
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
      expect(result.out).toContain(`Telegram: open https://t.me/county_caseworker_bot?start=${codeOf(result.out)}`);
      expect(api.calls).toEqual(['/bot123:abc/getMe']);
    } finally {
      await api.close();
    }
    const unreachable = adminHarness(database.db, { env: { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: api.root } });
    const result = await unreachable.run('invite', '--role', 'caseworker', '--area', '440103001002');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`send the bot the message  /start ${codeOf(result.out)}`);
  });

  it('refuses bad invites clearly', async () => {
    expect(await admin.run('invite', '--role', 'caseworker', '--area', '123')).toMatchObject({ code: 1, err: expect.stringContaining('unknown area code 123') });
    expect(await admin.run('invite', '--area', '440103001001')).toMatchObject({ code: 2, err: expect.stringContaining('missing --role') });
    expect(await admin.run('invite', '--role', 'boss', '--area', '440103001001')).toMatchObject({ code: 2, err: expect.stringContaining('--role must be one of') });
    expect(await admin.run('invite', '--staff', '9999')).toMatchObject({ code: 1, err: expect.stringContaining('no staff member with id 9999') });
    expect(await admin.run('invite', '--role', 'caseworker', '--area', '440103001001', '--days', '0')).toMatchObject({ code: 2 });
  });

  it('deactivates a person: their messenger account stops working at once, and can be reactivated', async () => {
    const invite = await admin.run('invite', '--role', 'caseworker', '--area', '440103001002', '--name', '王强');
    const staffId = Number(/staff id (\d+)/.exec(invite.out)![1]);
    await redeem(codeOf(invite.out), 'u-wang');
    expect(await actorForIdentity(database.db, 'local', 'u-wang')).toBeDefined();
    const [queued] = await enqueue(database.db, [{ kind: 'reminder', staffId, channel: 'local', chatId: 'u-wang', message: message('明天走访：王小明') }]);
    const result = await admin.run('staff', 'deactivate', String(staffId));
    const [dropped] = await database.db.select().from(outbox).where(eq(outbox.id, queued!));
    expect(dropped!.status).toBe('cancelled');
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('王强 (') });
    expect(await actorForIdentity(database.db, 'local', 'u-wang')).toBeUndefined();
    expect(await admin.run('staff', 'deactivate', String(staffId))).toMatchObject({ code: 1, err: expect.stringContaining('already deactivated') });
    const list = await admin.run('staff', 'list', '--area', '440103001', '--all');
    expect(list.out).toMatch(/王强\s+caseworker\s+沙基社区 440103001002\s+local\s+0\s+no/);
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
    expect(deactivated.out).toContain(`5 children are still assigned to them. Move them with: npm run admin -- staff reassign --from ${from} --to <id>`);
    const result = await admin.run('staff', 'reassign', '--from', String(from), '--to', String(to));
    expect(result).toMatchObject({ code: 0, out: `Moved 5 children from staff ${from} to staff ${to} (已转移 5 名儿童).` });
    const current = await database.db.select().from(assignments).where(isNull(assignments.endedAt));
    expect(current.filter((a) => a.staffId === from)).toHaveLength(0);
    expect(current.filter((a) => a.staffId === to)).toHaveLength(5);
    const ended = await database.db.select().from(assignments).where(and(eq(assignments.staffId, from)));
    expect(ended.every((a) => a.endedAt !== null)).toBe(true);
    const [child] = await database.db.select().from(children).where(eq(children.name, '孩子0'));
    const trail = await database.db.select().from(auditLog).where(and(eq(auditLog.childId, child!.id), eq(auditLog.action, 'assignment.reassign')));
    expect(trail[0]!.detail).toEqual({ from, to });
    expect(await admin.run('staff', 'reassign', '--from', String(to), '--to', String(from))).toMatchObject({ code: 1, err: expect.stringContaining('is deactivated') });
    expect(await admin.run('staff', 'reassign', '--from', String(to), '--to', String(to))).toMatchObject({ code: 1 });
    expect(await admin.run('staff', 'reassign', '--from', String(to))).toMatchObject({ code: 2 });
    const [{ active } = { active: true }] = await database.db.select({ active: staff.active }).from(staff).where(eq(staff.id, from));
    expect(active).toBe(false);
  });
});
