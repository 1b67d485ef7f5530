import { inflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { enqueue } from '../../src/db/outbox.js';
import { outbox } from '../../src/db/schema.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/index.js';
import { databaseTargets } from '../support/db.js';
import { channelsOf, Clock, logger, RecordingChannel, resetDatabase, seedWorld, sh, testConfig, V1, V2, V3, type World } from './fixture.js';

const DIGEST_TIME = sh('2026-11-23T08:00:00');

describe.each(databaseTargets())('daily digests on $name', (target) => {
  let database: Database;
  let world: World;
  let clock: Clock;
  let local: RecordingChannel;
  let scheduler: Scheduler;
  let kids: Record<'overdue' | 'today' | 'rose' | 'wangs' | 'west', number>;

  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await resetDatabase(database.db);
    world = await seedWorld(database.db);
    const { ids } = world;
    clock = new Clock(DIGEST_TIME);
    local = new RecordingChannel('local');
    scheduler = createScheduler({ db: database.db, config: testConfig(), logger, channels: channelsOf(local), clock: clock.now });
    kids = {
      overdue: await world.addChild({ name: '王小明', area: V1, due: '2026-11-20', caseworker: ids.li }),
      today: await world.addChild({ name: '李芳', area: V1, due: '2026-11-23', caseworker: ids.li }),
      rose: await world.addChild({ name: '张伟', area: V1, due: '2026-11-10', caseworker: ids.li }),
      wangs: await world.addChild({ name: '刘红', area: V2, due: '2026-11-21', caseworker: ids.wang }),
      west: await world.addChild({ name: '赵静', area: V3, due: '2026-11-01', caseworker: ids.sun }),
    };
    // Yesterday (Sunday, Shanghai): two visits, one raising the risk to orange; one visit the day before.
    await world.addVisit({ child: kids.rose, staff: ids.li, on: '2026-11-22', at: sh('2026-11-22T15:00:00'), from: 'yellow', to: 'orange', next: '2026-12-06' });
    const extra = await world.addChild({ name: '陈晨', area: V2, due: '2026-12-20', caseworker: ids.wang });
    await world.addVisit({ child: extra, staff: ids.wang, on: '2026-11-22', at: sh('2026-11-22T23:59:00'), from: 'green', to: 'yellow', next: '2026-12-22' });
    await world.addVisit({ child: extra, staff: ids.wang, on: '2026-11-21', at: sh('2026-11-21T23:59:00') });
    await world.addReport({ area: V1, reporter: ids.li, at: sh('2026-11-22T11:00:00') });
    await world.addReport({ area: V3, reporter: ids.sun, at: sh('2026-11-20T11:00:00') });
  });
  afterEach(async () => {
    await scheduler.stop();
  });

  const digests = async () => {
    await scheduler.tick(DIGEST_TIME);
    await scheduler.sender.runOnce();
    const of = (chat: string) => {
      // Report alerts (the reports escalate at the same tick) are not the digest.
      const got = local.to(chat).filter((d) => d.text.startsWith('📊'));
      expect(got).toHaveLength(1);
      return got[0]!;
    };
    return { east: of('east'), west: of('west'), county: of('county'), admin: of('admin') };
  };

  it("gives each supervisor their own subtree: yesterday's visits, due and overdue, risk rises, reports, quiet caseworkers", async () => {
    const { east, west, county } = await digests();
    expect(east.text).toContain('📊 东风镇 每日简报 · 11月23日');
    expect(east.text).toContain('昨日走访 2 次；今天到期 1，逾期 2。');
    expect(east.text).toContain('1. 李主任：1 / 1');
    expect(east.text).toContain('2. 王主任：1 / 0');
    expect(east.text).toContain('• 红旗村：1 / 1');
    expect(east.text).toContain('• 向阳村：1 / 0');
    expect(east.text).toContain('张伟（红旗村）🟡黄→🟠橙');
    expect(east.text).not.toContain('陈晨');
    expect(east.text).toContain('强制报告：昨日新增 1，待确认 1');
    for (const foreign of ['孙主任', '青山村', '赵静', 'BG-2026-000005']) expect(east.text).not.toContain(foreign);
    // English for the supervisor whose record says so; the quiet caseworker is listed.
    expect(west.text).toContain('📊 西岭镇 daily digest · Nov 23');
    expect(west.text).toContain('Visits yesterday: 0; due today 0, overdue 1.');
    expect(west.text).toContain('No visits for 14 days: 孙主任');
    expect(west.text).toContain('Mandatory reports: 0 new yesterday, 1 unacknowledged');
    expect(west.text).not.toContain('李主任');
    expect(county.text).toContain('昨日走访 2 次；今天到期 1，逾期 3。');
    expect(county.text).toContain('14天无走访记录：孙主任');
    // Caseworkers get no digest; each digest goes once however many ticks.
    expect(local.to('li')).toHaveLength(0);
    await scheduler.tick(new Date(DIGEST_TIME.getTime() + 60_000));
    await scheduler.sender.runOnce();
    expect(local.to('east')).toHaveLength(1);
  });

  it('attaches a bar chart when there are caseworkers to compare, as a valid PNG', async () => {
    const { east, west } = await digests();
    expect(west.message.image).toBeUndefined();
    const png = Buffer.from(east.message.image!.pngBase64, 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    expect(raw.length).toBe((width * 3 + 1) * height);
    // Some red (overdue) pixels were drawn.
    let red = 0;
    for (let i = 0; i + 2 < raw.length; i += 3) if (raw[i] === 220 && raw[i + 1] === 53 && raw[i + 2] === 69) red++;
    expect(red).toBeGreaterThan(100);
    expect(east.message.image!.alt).toContain('柱状图');
  });

  it('counts a reassigned child once, under its new caseworker, and leaves deactivated staff out', async () => {
    await world.reassign(kids.overdue, world.ids.wang, sh('2026-11-22T09:00:00'));
    let { east } = await digests();
    expect(east.text).toContain('1. 王主任：2 / 0');
    expect(east.text).toContain('2. 李主任：0 / 1');
    expect(east.text).toContain('逾期 2。');

    await database.db.delete(outbox);
    local.deliveries.length = 0;
    await world.deactivate(world.ids.wang, sh('2026-11-22T20:00:00'));
    await scheduler.tick(sh('2026-11-24T08:00:00'));
    clock.set(sh('2026-11-24T08:00:01'));
    await scheduler.sender.runOnce();
    east = local.to('east').find((d) => d.text.startsWith('📊'))!;
    expect(east.text).not.toContain('王主任');
    expect(east.text).toContain('无人负责的到期儿童：2 名');
    // A day later 李芳 is overdue too.
    expect(east.text).toContain('1. 李主任：1 / 0');
  });

  it("tells admins about undeliverable messages; supervisors don't see them", async () => {
    const [id] = await enqueue(database.db, [
      { kind: 'reminder', staffId: world.ids.li, channel: 'telegram', chatId: '1001', message: { text: [{ text: 'x' }] }, notBefore: sh('2026-11-22T09:00:00') },
    ]);
    const { eq } = await import('drizzle-orm');
    await database.db.update(outbox).set({ status: 'dead', lastError: 'Forbidden: bot was blocked by the user' }).where(eq(outbox.id, id!));
    const { admin, county } = await digests();
    expect(admin.text).toContain('发送失败的消息：1 条（最近：reminder）');
    expect(admin.text).toContain('荔湾区');
    expect(county.text).not.toContain('发送失败');
  });
});
