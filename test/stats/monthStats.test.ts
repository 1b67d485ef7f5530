// The month's numbers against figures counted by hand from the fixture (test/stats/fixture.ts), on PGlite and the
// PostgreSQL server: the SQL, the /stats message for an admin, a supervisor and a caseworker.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { areaStats, emptyFigures, type StatsFigures } from '../../src/db/monthStats.js';
import { areas, auditLog } from '../../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { richToPlain } from '../../src/bot/message.js';
import { databaseTargets } from '../support/db.js';
import { testCore } from '../support/core.js';
import { MONDAY_9, testConfig, TODAY, TZ } from '../scheduler/fixture.js';
import { seedStatsWorld, type StatsWorld } from './fixture.js';
import { adminHarness } from '../people/harness.js';

/** Figures written out by hand: unlisted counts are 0. */
function figures(f: Partial<Omit<StatsFigures, 'byCategory' | 'byRisk'>> & { byCategory?: Partial<StatsFigures['byCategory']>; byRisk?: Partial<StatsFigures['byRisk']> }): StatsFigures {
  const empty = emptyFigures();
  return { ...empty, ...f, byCategory: { ...empty.byCategory, ...f.byCategory }, byRisk: { ...empty.byRisk, ...f.byRisk } };
}

// 东风镇 = 红旗村 (甲 乙 丙) + 向阳村 (丁 戊); 西岭镇 = 青山村 (庚).
export const expected = {
  november: {
    东风镇: figures({
      children: 5,
      byCategory: { left_behind: 1, in_distress: 2, disabled: 1, migrant: 1, de_facto_unsupported: 1, community_orphan: 1 },
      byRisk: { red: 1, orange: 1, yellow: 1, green: 2 },
      // 甲 (left-behind green, 30 days: 11-10) and 戊 (green 90: 10-31); 乙 red 7 days since 10-05, 丁 orange 14 since 11-01, 丙 never.
      withinPolicy: 2,
      visits: 2, // 甲 11-10, 丁 11-01
      childrenVisited: 2,
      overdueNow: 3, // 乙 due 11-04, 丙 11-01, 丁 11-15
      reportsFiled: 2, // 11-05 (10 min), 11-12 (45 min)
      reportsAckedInTime: 1,
      reportsClosed: 2, // closed 11-06 and 11-02 (the latter filed in October)
    }),
    西岭镇: figures({
      children: 1,
      byCategory: { institutional_orphan: 1 },
      byRisk: { yellow: 1 },
      withinPolicy: 1,
      visits: 2, // 庚 11-20 and 11-22
      childrenVisited: 1,
      reportsFiled: 1, // 1 November 00:30 in Shanghai
    }),
  },
  october: {
    东风镇: figures({
      children: 5,
      byCategory: { left_behind: 1, in_distress: 2, disabled: 1, migrant: 1, de_facto_unsupported: 1, community_orphan: 1 },
      byRisk: { orange: 1, yellow: 2, green: 2 }, // 乙 still yellow at the end of October
      withinPolicy: 3, // 甲 10-20, 乙 10-05 (yellow 30), 戊 10-31; 丁's 09-30 is older than 14 days
      visits: 3, // 甲 10-20, 乙 10-05, 戊 10-31 (not 丁 09-30, not 戊 08-15)
      childrenVisited: 3,
      overdueNow: 3,
      reportsFiled: 1, // 10-20, acknowledged at exactly 30 minutes
      reportsAckedInTime: 1,
    }),
    西岭镇: figures({ children: 1, byCategory: { institutional_orphan: 1 }, byRisk: { orange: 1 } }), // 庚 orange until 11-20
  },
};

describe.each(databaseTargets())('the month\'s numbers on $name', (target) => {
  let database: Database;
  let world: StatsWorld;
  // One database for the suite: nothing here changes a figure (a /stats read adds only audit rows).
  beforeAll(async () => {
    database = await target.open();
    world = await seedStatsWorld(database.db);
  });
  afterAll(() => database.close());

  const county = async () => (await database.db.select().from(areas).where(eq(areas.code, '440103')))[0]!;
  const query = { today: TODAY, timeZone: TZ, ackMinutes: 30 };

  it('counts each township of the county by hand, this month and last, and nothing of another county', async () => {
    const area = await county();
    const nov = await areaStats(database.db, { ...query, area, from: '2026-11-01', through: '2026-11-23' });
    expect(nov.rows.map((r) => [r.name, r.level, r.own])).toEqual([['东风镇', 'township', false], ['西岭镇', 'township', false]]);
    expect(nov.rows[0]!.figures).toEqual(expected.november.东风镇);
    expect(nov.rows[1]!.figures).toEqual(expected.november.西岭镇);
    expect(nov.total).toEqual(figures({
      children: 6,
      byCategory: { left_behind: 1, in_distress: 2, disabled: 1, migrant: 1, de_facto_unsupported: 1, community_orphan: 1, institutional_orphan: 1 },
      byRisk: { red: 1, orange: 1, yellow: 2, green: 2 },
      withinPolicy: 3, visits: 4, childrenVisited: 3, overdueNow: 3, reportsFiled: 3, reportsAckedInTime: 1, reportsClosed: 2,
    }));
    const oct = await areaStats(database.db, { ...query, area, from: '2026-10-01', through: '2026-10-31' });
    expect(oct.rows[0]!.figures).toEqual(expected.october.东风镇);
    expect(oct.rows[1]!.figures).toEqual(expected.october.西岭镇);
  });

  it('reads a township supervisor\'s villages with their rights only', async () => {
    const east = await world.actor(world.ids.east);
    // Even asked for the whole county, the supervisor's rights keep 西岭镇 out.
    const nov = await areaStats(database.db, { ...query, area: await county(), from: '2026-11-01', through: '2026-11-23', actor: east });
    expect(nov.total).toEqual(expected.november.东风镇);
    const [township] = await database.db.select().from(areas).where(eq(areas.code, '440103001'));
    const villages = await areaStats(database.db, { ...query, area: township!, from: '2026-11-01', through: '2026-11-23', actor: east });
    expect(villages.rows.map((r) => r.name)).toEqual(['红旗村', '向阳村']);
    expect(villages.rows.map((r) => [r.figures.children, r.figures.withinPolicy, r.figures.visits, r.figures.overdueNow, r.figures.reportsFiled, r.figures.reportsAckedInTime, r.figures.reportsClosed])).toEqual([
      [3, 1, 1, 2, 1, 1, 2],
      [2, 1, 1, 1, 1, 0, 0],
    ]);
  });

  const ask = async (who: string, locale?: string) => {
    const core = testCore(database.db, { clock: () => MONDAY_9, config: testConfig() });
    const outcome = await core.handle({ channel: 'local', id: `${who}-stats`, userId: who, chatId: who, languageHint: locale, event: { kind: 'text', text: '/stats' } });
    return outcome.replies.map((r) => richToPlain(r.text));
  };

  it('answers /stats for the county admin with every figure of both months, per township', async () => {
    const [text, ...rest] = await ask('admin');
    expect(rest).toEqual([]);
    expect(text).toBe(
      [
        '📊 荔湾区 · 月度统计',
        '截至 2026年11月23日，当前逾期未走访 3 人',
        '',
        '2026年11月（1日至23日）',
        '在册儿童 6 人',
        '按规定频次走访 3 人（50%）',
        '本期走访 4 次，覆盖 3 人',
        '强制报告 3 件 · 30分钟内受理 1 件 · 结案 2 件',
        '风险：红 1 · 橙 1 · 黄 2 · 绿 2',
        '类别：机构养育孤儿 1 · 社会散居孤儿 1 · 事实无人抚养儿童 1 · 农村留守儿童 1 · 困境儿童 2 · 残疾儿童 1 · 流动儿童 1',
        '按乡镇（街道）：',
        '• 东风镇：儿童 5 · 走访 2 · 按时 40% · 报告 2 · 逾期 3',
        '   红 1 · 橙 1 · 黄 1 · 绿 2',
        '• 西岭镇：儿童 1 · 走访 2 · 按时 100% · 报告 1 · 逾期 0',
        '   红 0 · 橙 0 · 黄 1 · 绿 0',
        '',
        '2026年10月',
        '在册儿童 6 人',
        '按规定频次走访 3 人（50%）',
        '本期走访 3 次，覆盖 3 人',
        '强制报告 1 件 · 30分钟内受理 1 件 · 结案 0 件',
        '风险：红 0 · 橙 2 · 黄 2 · 绿 2',
        '类别：机构养育孤儿 1 · 社会散居孤儿 1 · 事实无人抚养儿童 1 · 农村留守儿童 1 · 困境儿童 2 · 残疾儿童 1 · 流动儿童 1',
        '按乡镇（街道）：',
        '• 东风镇：儿童 5 · 走访 3 · 按时 60% · 报告 1',
        '   红 0 · 橙 1 · 黄 2 · 绿 2',
        '• 西岭镇：儿童 1 · 走访 0 · 按时 0% · 报告 0',
        '   红 0 · 橙 1 · 黄 0 · 绿 0',
      ].join('\n'),
    );
    const [read] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'stats.read'));
    expect(read).toMatchObject({ actorStaffId: world.ids.admin, channel: 'local', detail: { area: '440103', months: ['2026-11', '2026-10'] } });
  });

  it('answers a township supervisor per village, and in English for one who reads English', async () => {
    const [east] = await ask('east');
    expect(east).toContain('📊 东风镇 · 月度统计');
    expect(east).toContain('按村（社区）：\n• 红旗村：儿童 3 · 走访 1 · 按时 33% · 报告 1 · 逾期 2\n   红 1 · 橙 0 · 黄 1 · 绿 1\n• 向阳村：儿童 2 · 走访 1 · 按时 50% · 报告 1 · 逾期 1');
    expect(east).not.toContain('西岭镇');
    const [west] = await ask('west');
    expect(west).toContain('📊 西岭镇 · monthly figures');
    expect(west).toContain('Nov 2026 (1–23)\nChildren on the roster: 1\nVisited as often as the policy asks: 1 (100%)\nVisits: 2 (children reached: 1)');
    expect(west).toContain('By village:\n• 青山村: children 1 · visits 2 · on time 100% · reports 1 · overdue 0');
    expect(west).not.toContain('东风镇');
  });

  it('refuses a caseworker in their language', async () => {
    expect(await ask('li')).toEqual(['月度统计只供督导员和管理员查看。你名单上的儿童请用 /status 查看，需走访的会在提醒里列出。']);
  });

  /** The sheet's cells, row by row, as read back by exceljs (empty cells as ''). */
  const readSheet = async (path: string) => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(path) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      rows.push(Array.from({ length: sheet.columnCount }, (_, i) => row.getCell(i + 1).value ?? ''));
    });
    return { name: sheet.name, rows, shareFormat: sheet.getRow(3).getCell(16).numFmt };
  };

  it('exports a township-by-township month as .xlsx with Chinese headers, every figure as counted by hand', async () => {
    const admin = adminHarness(database.db, { now: () => MONDAY_9 });
    const out = `${admin.dir}/2026年11月统计.xlsx`;
    const result = await admin.run('export', 'stats', '--month', '2026-11', '--area', '荔湾区', '--out', out);
    expect(result).toMatchObject({ code: 0, out: '' });
    expect(result.err).toBe(`已把荔湾区2026年11月的月度统计（2 个下级地区加合计）写入 ${out}。`);
    const sheet = await readSheet(out);
    expect(sheet.name).toBe('2026年11月');
    expect(sheet.rows[0]![0]).toBe('荔湾区 2026年11月 月度统计（2026-11-01 至 2026-11-23；逾期人数截至 2026-11-23）');
    expect(sheet.rows[1]).toEqual([
      '地区代码', '地区', '在册儿童（人）',
      '机构养育孤儿', '社会散居孤儿', '事实无人抚养儿童', '农村留守儿童', '困境儿童', '残疾儿童', '流动儿童',
      '红色风险（人）', '橙色风险（人）', '黄色风险（人）', '绿色风险（人）',
      '按规定频次走访（人）', '按规定频次走访率', '走访次数', '走访覆盖儿童（人）', '当前逾期（人）',
      '强制报告（件）', '30分钟内受理（件）', '结案（件）',
    ]);
    expect(sheet.rows.slice(2)).toEqual([
      ['440103001', '东风镇', 5, 0, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 2, 0.4, 2, 2, 3, 2, 1, 2],
      ['440103002', '西岭镇', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 2, 1, 0, 1, 0, 0],
      ['', '合计', 6, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 2, 3, 0.5, 4, 3, 3, 3, 1, 2],
    ]);
    expect(sheet.shareFormat).toBe('0.0%');
    const [audited] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'export.stats'));
    expect(audited).toMatchObject({ channel: 'cli', detail: { area: '440103', month: '2026-11', rows: 2 } });
  });

  it('exports last month by default, for the whole tree when no area is named, in English with --lang en', async () => {
    const admin = adminHarness(database.db, { now: () => MONDAY_9 });
    const out = `${admin.dir}/october.xlsx`;
    const result = await admin.run('--lang', 'en', 'export', 'stats', '--out', out);
    expect(result.code).toBe(0);
    const sheet = await readSheet(out);
    expect(sheet.name).toBe('Oct 2026');
    expect(sheet.rows[1]!.slice(0, 4)).toEqual(['area code', 'area', 'children on roster', 'orphan in institutional care']);
    expect(sheet.rows[1]!.slice(19)).toEqual(['mandatory reports', 'acknowledged within 30 min', 'closed']);
    // 广州市 holds two counties: 荔湾区 (October's figures counted by hand) and 越秀区 (one child, never visited in October).
    expect(sheet.rows.slice(2)).toEqual([
      ['440103', '荔湾区', 6, 1, 1, 1, 1, 2, 1, 1, 0, 2, 2, 2, 3, 0.5, 3, 3, 3, 1, 1, 0],
      ['440104', '越秀区', 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
      ['', 'Total', 7, 1, 1, 1, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3 / 7, 3, 3, 4, 1, 1, 0],
    ]);
  });

  it('exports with a supervisor\'s rights per village, and refuses a caseworker, another area and a month not begun', async () => {
    const admin = adminHarness(database.db, { now: () => MONDAY_9 });
    const csv = await admin.run('export', 'stats', '--month', '2026-11', '--as', String(world.ids.east), '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.out.replace(/^\ufeff/, '').split('\r\n');
    expect(lines.slice(1)).toEqual([
      '440103001001,红旗村,3,0,0,0,1,1,1,1,1,0,1,1,1,0.3333333333333333,1,1,2,1,1,2',
      '440103001002,向阳村,2,0,1,1,0,1,0,0,0,1,0,1,1,0.5,1,1,1,1,0,0',
      ',合计,5,0,1,1,1,2,1,1,1,1,1,2,2,0.4,2,2,3,2,1,2',
    ]);
    expect((await admin.run('export', 'stats', '--as', String(world.ids.li))).code).toBe(1);
    const outside = await admin.run('export', 'stats', '--area', '西岭镇', '--as', String(world.ids.east));
    expect(outside).toMatchObject({ code: 1 });
    expect(outside.err).toContain('不在 赵督导员 的地区 440103001 内');
    const unknownKind = await admin.run('export', 'statistics');
    expect(unknownKind).toMatchObject({ code: 2, err: expect.stringContaining('children, visits, reports, stats') });
    const future = await admin.run('export', 'stats', '--month', '2026-12');
    expect(future).toMatchObject({ code: 1 });
    expect(future.err).toContain('2026年12月还没有开始');
  });
});
