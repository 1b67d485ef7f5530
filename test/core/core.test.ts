// The core's guarantees, through BotCore on PGlite and real PostgreSQL: exactly-once effects from repeated
// deliveries, one winner for simultaneous clicks, stale and forged buttons, draft expiry, onboarding.
import { and, count, eq, like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { richToPlain } from '../../src/bot/message.js';
import { TemporaryFailure } from '../../src/bot/outcome.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { auditLog, channelIdentities, children, conversations, outbox, processedInbound, visits } from '../../src/db/schema.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { createLogger } from '../../src/logger.js';
import { CoreDriver } from '../support/chat.js';
import { databaseTargets } from '../support/db.js';
import { demoWorld, NOW, TestClock, type DemoWorld } from '../support/world.js';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Db } from '../../src/db/client.js';
import { testCore } from '../support/core.js';

const texts = (o: { replies: { text: { text: string }[] }[] }) => o.replies.map((r) => richToPlain(r.text)).join('\n');

describe.each(databaseTargets())('core on $name', (target) => {
  let database: Database;
  let world: DemoWorld;
  let clock: TestClock;
  let core: BotCore;
  let chat: CoreDriver;

  beforeEach(async () => {
    database = await target.openDemo();
    world = await demoWorld(database.db);
    clock = new TestClock();
    core = testCore(database.db, { clock: clock.now });
    chat = new CoreDriver(core, world, database.db);
  });
  afterEach(() => database.close());

  async function routineVisitUpToConfirm(): Promise<string> {
    await chat.say('李主任', '/visit');
    for (const label of ['胡婷', '今天', '入户', '见到本人', '情况无变化']) await chat.press('李主任', label);
    return chat.buttonData('李主任', '确认提交');
  }

  it('applies a redelivered update once and answers the repeat with nothing', async () => {
    const confirm = await routineVisitUpToConfirm();
    const first = await chat.send('李主任', { kind: 'button', data: confirm }, 'update-77');
    const again = await chat.send('李主任', { kind: 'button', data: confirm }, 'update-77');
    expect(texts(first)).toContain('已保存');
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual([]);
    const [{ n }] = (await database.db.select({ n: count() }).from(visits).where(like(visits.ref, 'ZF-2026-%'))) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('saves the visit with the child\'s new dates and its audit entry, all in the one transaction that confirms it', async () => {
    const confirm = await routineVisitUpToConfirm();
    const saved = await chat.send('李主任', { kind: 'button', data: confirm });
    expect(texts(saved)).toContain('已保存');
    const [visit] = await database.db.select().from(visits).where(like(visits.ref, 'ZF-2026-%'));
    const [child] = await database.db.select().from(children).where(eq(children.id, visit!.childId));
    expect(child).toMatchObject({ lastVisitOn: visit!.visitedOn, nextVisitDue: visit!.nextVisitOn, riskLevel: visit!.riskAfter });
    const entries = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'visit.create'), eq(auditLog.childId, visit!.childId)));
    expect(entries.map((e) => e.detail)).toEqual([{ visitId: visit!.id, ref: visit!.ref }]);
  });

  it('lets one of two simultaneous confirm clicks win and tells the other', async () => {
    const confirm = await routineVisitUpToConfirm();
    const [a, b] = await Promise.all([
      chat.send('李主任', { kind: 'button', data: confirm }, 'click-a'),
      chat.send('李主任', { kind: 'button', data: confirm }, 'click-b'),
    ]);
    // The loser is told the form is already saved (not that its button is old).
    const saved = [a, b].filter((o) => texts(o).includes('✅ 已保存'));
    const told = [a, b].filter((o) => o.toast === '已保存，无需重复提交。');
    expect(saved).toHaveLength(1);
    expect(told).toHaveLength(1);
    const [{ n }] = (await database.db.select({ n: count() }).from(visits).where(like(visits.ref, 'ZF-2026-%'))) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('ignores a button from an old question and never applies it to the current step', async () => {
    await chat.say('李主任', '/visit');
    await chat.press('李主任', '胡婷');
    const yesterday = chat.buttonData('李主任', '昨天');
    await chat.press('李主任', '今天');
    const stale = await chat.send('李主任', { kind: 'button', data: yesterday });
    expect(texts(stale)).toContain('这个按钮已过期');
    expect(texts(stale)).toContain('走访方式？');
    const [conv] = await database.db.select().from(conversations).where(eq(conversations.status, 'active'));
    expect(conv!.answers.date).toBe('2026-11-23');
    expect(conv!.step).toBe('kind');
  });

  it('takes a day picked in a date picker as the answer, checked like a typed date and against the version', async () => {
    await chat.say('李主任', '/visit');
    await chat.press('李主任', '胡婷');
    const picker = chat.lastOutcome!.replies.at(-1)!.datePicker!;
    expect(picker.initial).toBe('2026-11-23');
    const future = await chat.send('李主任', { kind: 'button', data: `${picker.data}20261201` });
    expect(texts(future)).toContain('日期不能晚于今天');
    const retry = chat.lastOutcome!.replies.at(-1)!.datePicker!;
    const picked = await chat.send('李主任', { kind: 'button', data: `${retry.data}20261120` });
    expect(texts(picked)).toContain('走访方式？');
    const stale = await chat.send('李主任', { kind: 'button', data: `${picker.data}20261119` });
    expect(stale.toast).toBe('按钮已过期');
    const [conv] = await database.db.select().from(conversations).where(eq(conversations.status, 'active'));
    expect(conv!.answers.date).toBe('2026-11-20');
  });

  it('refuses forged button data and a child outside the caseload, auditing the attempt', async () => {
    await chat.say('李主任', '/visit');
    const data = chat.buttonData('李主任', '胡婷');
    const forged = await chat.send('李主任', { kind: 'button', data: data.replace(/\.c\d+$/, '.c2') });
    expect(texts(forged)).toContain('找不到这个儿童，或你无权查看');
    const nonsense = await chat.send('李主任', { kind: 'button', data: 'q.zz.1.<script>' });
    expect(nonsense.toast).toBe('无法识别的按钮。');
    const denied = await database.db.select().from(auditLog).where(eq(auditLog.action, 'child.denied'));
    expect(denied.map((d) => d.childId)).toEqual([2]);
    const start = await chat.send('王主任', { kind: 'button', data: `v.start.${1}` });
    expect(texts(start)).toContain('找不到这个儿童');
  });

  it('keeps a draft across a pause and expires it after 24 hours with a message', async () => {
    await chat.say('李主任', '/visit');
    await chat.press('李主任', '胡婷');
    clock.advance(3 * 3_600_000);
    const later = await chat.say('李主任', '/menu');
    expect(later.map((m) => m.buttons.join(' ')).join(' ')).toContain('继续未完成的“记录走访”');
    clock.advance(25 * 3_600_000);
    const after = await chat.say('李主任', '/menu');
    expect(after[0]!.text).toContain('已过期作废');
    const rows = await database.db.select({ status: conversations.status }).from(conversations);
    expect(rows.map((r) => r.status)).toEqual(['expired']);
  });

  it('asks a stranger only for an invite code, then binds the account', async () => {
    const stranger = { channel: 'local' as const, userId: 'tg-like-999', chatId: 'tg-like-999' };
    const hello = await core.handle({ ...stranger, id: 's1', event: { kind: 'text', text: '/status' } });
    expect(texts(hello)).toContain('请输入管理员给你的邀请码');
    const wrong = await core.handle({ ...stranger, id: 's2', event: { kind: 'text', text: 'ABCDEFGH' } });
    expect(texts(wrong)).toContain('邀请码无效');
    const { code } = await createInvite(database.db, { role: 'caseworker', areaCode: '990101001001', name: '新主任', now: NOW });
    const bound = await core.handle({ ...stranger, id: 's3', event: { kind: 'text', text: `/start ${code.toLowerCase()}` } });
    expect(texts(bound)).toContain('欢迎，新主任！');
    // Bound: the menu follows at once, so the first thing to do is a tap, not typing.
    expect(texts(bound)).toContain('请选择要做的事');
    const reuse = await core.handle({ channel: 'local', userId: 'other', chatId: 'other', id: 's4', event: { kind: 'text', text: code } });
    expect(texts(reuse)).toContain('已经被使用过了');
    const identities = await database.db.select().from(channelIdentities).where(eq(channelIdentities.externalId, 'tg-like-999'));
    expect(identities).toHaveLength(1);
  });

  it('throttles invite guessing after 10 attempts an hour', async () => {
    const guesser = { channel: 'local' as const, userId: 'guesser', chatId: 'guesser' };
    let last = '';
    for (let i = 0; i < 12; i++) last = texts(await core.handle({ ...guesser, id: `g${i}`, event: { kind: 'text', text: `ZZZZZZ${String(i).padStart(2, '2')}`.slice(0, 8) } }));
    expect(last).toContain('尝试次数过多');
    const throttled = await database.db.select().from(auditLog).where(eq(auditLog.action, 'invite.throttled'));
    expect(throttled.length).toBeGreaterThan(0);
  });

  it('refuses to run flows in a group chat', async () => {
    const user = chat.userOf('李主任');
    const out = await core.handle({ channel: 'local', id: 'grp', userId: user, chatId: 'group-1', chatType: 'group', event: { kind: 'text', text: '/visit' } });
    expect(texts(out)).toContain('只在私聊中工作');
    expect(await database.db.select().from(conversations)).toEqual([]);
  });

  it('writes the report alert to the outbox in the same transaction as the report', async () => {
    await chat.say('李主任', '/report');
    for (const label of ['否', '刘洋', '被遗弃', '完成']) await chat.press('李主任', label);
    for (const text of ['长期一个人在家', '昨天']) await chat.say('李主任', text);
    await chat.press('李主任', '跳过');
    await chat.say('李主任', '刘家');
    await chat.press('李主任', '尚未报案');
    await chat.press('李主任', '确认提交');
    const alerts = await database.db.select().from(outbox);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.urgent).toBe(true);
    expect(alerts[0]!.chatId).toBe(`staff:${world.staffId('赵督导员')}`);
    expect(JSON.stringify(alerts[0]!.payload)).toContain('报告人：李主任');
  });

  it('slows a flooding user down before touching the database', async () => {
    const limited = new BotCore({ db: database.db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows(), clock: clock.now });
    const user = chat.userOf('李主任');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => limited.handle({ channel: 'local', id: `flood-${i}`, userId: user, chatId: user, event: { kind: 'text', text: 'hi' } })),
    );
    const slowed = results.filter((r) => texts(r).includes('发送得太快'));
    expect(slowed.length).toBeGreaterThanOrEqual(25);
    const [{ n }] = (await database.db.select({ n: count() }).from(processedInbound)) as [{ n: number }];
    expect(n).toBe(50 - slowed.length);
  });
});

describe('core when the database is unreachable', () => {
  it('throws TemporaryFailure with a retry message and writes nothing', async () => {
    const client = postgres('postgres://postgres@127.0.0.1:1/none', { max: 1, connect_timeout: 2, onnotice: () => {} });
    const core = new BotCore({ db: drizzle(client) as unknown as Db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows() });
    const error = await core.handle({ channel: 'local', id: 'x', userId: 'staff:1', chatId: 'staff:1', event: { kind: 'text', text: '/visit' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryFailure);
    expect((error as TemporaryFailure).retryText).toContain('请稍后再发一次');
    await client.end();
  });
});
