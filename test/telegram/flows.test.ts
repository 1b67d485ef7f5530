// Telegram with the real core and database: onboarding, attachments, escaping, exactly-once, groups, edits, bots,
// and a database outage — each as a Telegram user would meet it.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { channelIdentities, children, processedInbound, staff, visits } from '../../src/db/schema.js';
import { createServerDatabase, databaseTargets, serverUrl } from '../support/db.js';
import { demoWorld, TestClock, type DemoWorld } from '../support/world.js';
import { TelegramDriver } from './driver.js';
import { startRig, TelegramUser, type TelegramRig } from './harness.js';
import { testCore } from '../support/core.js';

/**
 * The adapter does not depend on the kind of database, and the core's transcripts already run on both: here the
 * real server when TEST_DATABASE_URL is set (closest to production), else PGlite — which keeps the suite fast.
 */
const oneTarget = () => databaseTargets().slice(-1);

function coreFor(db: Db, clock: TestClock): BotCore {
  return testCore(db, { clock: clock.now });
}

describe.each(oneTarget())('Telegram with the real core on $name', (target) => {
  let database: Database | undefined;
  let rig: TelegramRig | undefined;
  afterEach(async () => {
    await rig?.close();
    await database?.close();
    rig = undefined;
    database = undefined;
  });

  async function setup(): Promise<{ db: Db; world: DemoWorld; clock: TestClock; rig: TelegramRig; driver: TelegramDriver }> {
    database = await target.open();
    const world = await demoWorld(database.db);
    const clock = new TestClock();
    rig = await startRig({ mode: 'webhook', core: coreFor(database.db, clock), db: database.db });
    return { db: database.db, world, clock, rig, driver: new TelegramDriver(rig, world, database.db, clock.now) };
  }

  it('an unknown user gets only the invite question, whatever they send; a deep link binds their Telegram account', async () => {
    const { db, rig, driver } = await setup();
    const stranger = new TelegramUser(rig, 6_000_001, 'Stranger');
    for (const text of ['/status', '/visit', '胡婷', '/start', '/start WRONG123']) await stranger.send(text);
    await rig.deliver(rig.fake.location(stranger.user, 30.1, 120.1));
    const said = stranger.newMessages();
    expect(said.length).toBeGreaterThanOrEqual(6);
    for (const text of said) expect(text).not.toMatch(/胡婷|王小明|儿童：|岁|风险/);
    expect(said[0]).toMatch(/邀请码/);
    expect(rig.fake.sentTo(stranger.chatId).every((m) => m.reply_markup === undefined)).toBe(true);

    const user = await driver.user('李主任');
    const [identity] = await db.select().from(channelIdentities).where(eq(channelIdentities.externalId, String(user.id)));
    expect(identity).toMatchObject({ channel: 'telegram', chatId: String(user.id) });
  });

  it('a visit with a location pin and a photo stores both, once, though every update arrives twice', async () => {
    const { db, rig, driver } = await setup();
    for (const [say, press] of [
      ['/visit', null], ['王小明', null], [null, '今天'], [null, '入户'], [null, '见到本人'], [null, '逐项填写'],
      ...['正常', '正常', '正常', '正常', '正常', '正常'].map((p) => [null, p] as const),
      [null, '是'], [null, '跳过'], [null, '跳过'],
    ] as const) {
      if (say) await driver.say('李主任', say);
      else await driver.press('李主任', press!);
    }
    const user = await driver.user('李主任');
    const photo = rig.fake.photo(user, '厨房漏水');
    expect(await rig.deliver(rig.fake.location(user, 30.2741, 120.1551))).toBe(200);
    expect(await rig.deliver(photo)).toBe(200);
    expect(await rig.deliver(photo)).toBe(200);
    const said = await driver.press('李主任', '完成');
    expect(said.map((m) => m.text).join('\n')).toMatch(/风险等级/);
    await driver.press('李主任', '黄');
    const next = await driver.press('李主任', '12月');
    expect(next.map((m) => m.text).join('\n')).toMatch(/请确认/);
    const done = await driver.press('李主任', '确认提交');
    const ref = /已保存（(ZF-2026-\d+)）/.exec(done.map((m) => m.text).join('\n'))?.[1];
    expect(ref).toBeDefined();

    const rows = await db.select({ location: visits.location, photos: visits.photos }).from(visits).where(eq(visits.ref, ref!));
    expect(rows).toEqual([
      { location: { latitude: 30.2741, longitude: 120.1551 }, photos: [{ fileId: photo.message!.photo!.at(-1)!.file_id, caption: '厨房漏水' }] },
    ]);
  });

  it('shows a child’s name with HTML in it escaped, exactly as typed', async () => {
    const { db, rig, driver } = await setup();
    const name = '胡婷<b>&amp;</b><a href="x">';
    await db.update(children).set({ name }).where(eq(children.name, '胡婷'));
    await driver.say('李主任', '/status');
    const said = await driver.say('李主任', '胡婷');
    expect(said.map((m) => m.text).join('\n')).toContain(name);
    const html = rig.fake.callsOf('sendMessage').map((c) => String(c.params.text)).find((t) => t.includes('胡婷'))!;
    expect(html).toContain('胡婷&lt;b&gt;&amp;amp;&lt;/b&gt;&lt;a href="x"&gt;');
    expect(html).not.toContain('<a href');
  });

  it('a forged button for another caseworker’s child and a stale button are refused without showing anything', async () => {
    const { db, rig, driver } = await setup();
    const [huTing] = await db.select({ id: children.id }).from(children).where(eq(children.name, '胡婷'));
    const wang = await driver.user('王主任');
    await driver.say('王主任', '/menu');
    const menu = rig.fake.sentTo(wang.id).at(-1)!;
    await rig.deliver(rig.fake.pressData(wang, menu, `v.start.${huTing!.id}`));
    const forged = rig.fake.sentTo(wang.id).slice(-1).map((m) => m.text ?? '');
    expect(forged.join('\n')).not.toMatch(/胡婷|16岁/);
    expect(forged.join('\n')).toMatch(/无权查看/);

    const li = await driver.user('李主任');
    await driver.say('李主任', '/visit');
    const question = rig.fake.sentTo(li.id).at(-1)!;
    await driver.press('李主任', '胡婷');
    const before = rig.fake.sentTo(li.id).length;
    // A second tap on the old keyboard, as a phone that had not yet shown the edit would send it.
    const stale = question.reply_markup!.inline_keyboard.flat().find((b) => b.text.includes('胡婷'))!;
    await rig.deliver(rig.fake.pressData(li, question, (stale as { callback_data: string }).callback_data));
    const toast = rig.fake.callsOf('answerCallbackQuery').at(-1)!.params.text;
    const after = rig.fake.sentTo(li.id).slice(before).map((m) => m.text ?? '');
    expect([toast, ...after].join('\n')).toMatch(/过期|不再有效/);
  });

  it('a redelivered update is applied once: one processed id, one draft, one answer', async () => {
    const { db, rig, driver } = await setup();
    const user = await driver.user('李主任');
    const processedBefore = (await db.select({ n: sql<number>`count(*)::int` }).from(processedInbound))[0]!.n;
    const update = rig.fake.text(user, '/visit');
    const sendsBefore = rig.fake.callsOf('sendMessage').length;
    for (let i = 0; i < 3; i++) expect(await rig.deliver(update)).toBe(200);
    expect(rig.fake.callsOf('sendMessage').length - sendsBefore).toBe(1);
    const processedAfter = (await db.select({ n: sql<number>`count(*)::int` }).from(processedInbound))[0]!.n;
    expect(processedAfter - processedBefore).toBe(1);
  });

  it('edits, groups and bots reach no flow; the group refusal follows the staff record’s language', async () => {
    const { db, rig, driver, world } = await setup();
    const user = await driver.user('李主任');
    const processed = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(processedInbound))[0]!.n;
    const before = await processed();

    const sent = rig.fake.text(user, '/status');
    await rig.deliver(rig.fake.edited(sent.message!, '/visit'));
    await db.update(staff).set({ locale: 'en' }).where(eq(staff.id, world.staffId('李主任')));
    const group = rig.fake.group(-1009876543210, '东风镇工作群');
    await rig.deliver(rig.fake.text(user, '/visit', group));
    const botUser = rig.fake.user(6_000_099, 'OtherBot', { isBot: true });
    await rig.deliver(rig.fake.text(botUser, '/start'));

    expect(await processed()).toBe(before);
    expect(rig.fake.sentTo(user.id).at(-1)!.text).toMatch(/我只读取新消息/);
    expect(rig.fake.sentTo(group.id).map((m) => m.text)).toEqual([expect.stringMatching(/only work in private chats/)]);
    expect(rig.fake.sentTo(botUser.id)).toEqual([]);
  });
});

describe('Telegram when the database is down', () => {
  it('the webhook answers 503 and sends nothing, so Telegram redelivers later', async () => {
    // A database that refuses connections: the core cannot record the update, so nothing may be acknowledged.
    const dead = await openDeadDatabase();
    const clock = new TestClock();
    const rig = await startRig({ mode: 'webhook', core: coreFor(dead.db, clock), db: dead.db });
    const user = new TelegramUser(rig, 6_100_001, 'Anna');
    expect(await user.send('/visit')).toBe(503);
    expect(await user.send('/help')).toBe(503);
    expect(rig.fake.callsOf('sendMessage')).toHaveLength(0);
    expect(rig.channel.health().lastError).toMatch(/database unavailable/);
    await rig.close();
    await dead.close();
  });

  it.skipIf(!serverUrl)('on PostgreSQL: 503 while the server is unreachable, then Telegram’s redelivery is processed once', async () => {
    const created = await createServerDatabase();
    const proxy = await startProxy(new URL(created.url));
    const url = new URL(created.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    try {
      const world = await demoWorld(database.db);
      const clock = new TestClock();
      const rig = await startRig({ mode: 'webhook', core: coreFor(database.db, clock), db: database.db });
      const driver = new TelegramDriver(rig, world, database.db, clock.now);
      const user = await driver.user('李主任');
      const update = rig.fake.text(user, '/visit');
      const sends = rig.fake.callsOf('sendMessage').length;

      proxy.cut();
      expect(await rig.deliver(update)).toBe(503);
      expect(rig.fake.callsOf('sendMessage')).toHaveLength(sends);

      proxy.restore();
      await expect.poll(() => rig.deliver(update), { timeout: 10_000, interval: 200 }).toBe(200);
      expect(await rig.deliver(update)).toBe(200);
      expect(rig.fake.callsOf('sendMessage').length - sends).toBe(1);
      expect(rig.fake.sentTo(user.id).at(-1)!.text).toMatch(/选择儿童/);
      await rig.close();
    } finally {
      await database.close();
      await proxy.close();
      await created.drop();
    }
  });
});

async function openDeadDatabase(): Promise<{ db: Db; close(): Promise<void> }> {
  // Migrations cannot run against a dead server, so build the client directly, as the service's pool would be.
  const postgres = (await import('postgres')).default;
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const schema = await import('../../src/db/schema.js');
  const closed = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const client = postgres(`postgres://postgres@127.0.0.1:${closed}/none`, { max: 1, connect_timeout: 2, onnotice: () => {} });
  return { db: drizzle(client, { schema }) as unknown as Db, close: () => client.end({ timeout: 1 }) };
}

/** A TCP proxy in front of PostgreSQL that can cut every connection and refuse new ones, then come back. */
async function startProxy(target: URL): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const { connect } = await import('node:net');
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
