import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { enqueue } from '../../src/db/outbox.js';
import { outbox } from '../../src/db/schema.js';
import { summarise } from '../../src/scheduler/digest.js';
import { findCjkFont } from '../../src/scheduler/chartFont.js';
import { digestPictures } from '../../src/scheduler/digestChart.js';
import { loadDigestSnapshot } from '../../src/scheduler/digestData.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import { databaseTargets } from '../support/db.js';
import { Clock, RecordingChannel, sh, V1, V2, V3, type World } from './fixture.js';
import { type County, useCounty } from './rig.js';

const DIGEST_TIME = sh('2026-11-23T08:00:00');

describe.each(databaseTargets())('daily digests on $name', (target) => {
  let database: Database;
  let world: World;
  let clock: Clock;
  let local: RecordingChannel;
  let scheduler: Scheduler;
  let kids: Record<'overdue' | 'today' | 'rose' | 'wangs' | 'west', number>;

  let rig: County;
  // Charts take seconds to draw: only the tests about them draw them.
  useCounty(target, { at: DIGEST_TIME, env: { DIGEST_CHARTS: '0' } }, (c) => ({ database, world, clock, local, scheduler } = rig = c));
  beforeEach(async () => {
    const { ids } = world;
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

  it.skipIf(!findCjkFont(undefined))('attaches one picture of its charts, drawn from the subtree: due by caseworker, visits per week, open reports by age', async () => {
    scheduler = await rig.reschedule({});
    const { east, west, county } = await digests();
    expect(county.message.image).toBeDefined();
    for (const digest of [east, west]) {
      const png = Buffer.from(digest.message.image!.pngBase64, 'base64');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(960);
    }
    expect(east.message.image!.alt).toContain('简报图表');
    expect(west.message.image!.alt).toContain('Digest charts');
    // What the pictures show: the summary they are drawn from, and the charts' own labels.
    const snap = await loadDigestSnapshot(database.db, {
      today: '2026-11-23',
      yesterday: '2026-11-22',
      yesterdayStart: sh('2026-11-22T00:00:00'),
      todayStart: sh('2026-11-23T00:00:00'),
      now: DIGEST_TIME,
      escalateAfterDays: 7,
    });
    const eastSummary = summarise(snap, { role: 'supervisor', areaCode: '440103001' })!;
    expect(eastSummary.weeks.map((w) => w.monday)).toEqual(['2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    // Three visits on the 21st and 22nd (the week from Monday the 16th); none yet this week.
    expect(eastSummary.weeks.map((w) => w.visits)).toEqual([0, 0, 0, 0, 0, 0, 3, 0]);
    // The report filed yesterday at 11:00 is under a day old; the west's, from the 20th, is 2 days old.
    expect(eastSummary.openReportsByAge).toEqual([1, 0, 0, 0, 0]);
    expect(summarise(snap, { role: 'supervisor', areaCode: '440103002' })!.openReportsByAge).toEqual([0, 1, 0, 0, 0]);
    const svg = digestPictures(eastSummary, 'zh-CN').map((p) => p.svg).join('');
    for (const label of ['李主任', '王主任', '逾期', '今天到期', '近 8 周每周走访次数 · 东风镇', '11/16', '不到 1 天']) expect(svg).toContain(label);
  });

  it('goes without the picture, and says so in the log, where no font draws Chinese', async () => {
    const lines: string[] = [];
    const recording = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    scheduler = await rig.reschedule({ CHART_FONT: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' }, recording);
    const { east } = await digests();
    expect(east.message.image).toBeUndefined();
    expect(east.text).toContain('昨日走访 2 次；今天到期 1，逾期 2。');
    expect(east.text).toContain('1. 李主任：1 / 1');
    expect(lines.join('')).toContain('has no Chinese characters: digests are sent without charts');
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
