// The digest's charts draw their labels: each chart is rendered as it is sent and again with the Chinese left
// out of its texts, and the label areas must differ; and they must differ from the same chart drawn with a font
// that has no Chinese (tofu boxes), which is why the digest goes without a chart when no CJK font exists.
import { describe, expect, it } from 'vitest';
import {
  AXIS_BAND,
  dueByCaseworkerChart,
  NAME_GUTTER,
  openReportsChart,
  renderChart,
  stackCharts,
  weeklyVisitsChart,
  type ChartPicture,
  type RenderedChart,
} from '../../src/scheduler/chart.js';
import { CJK_FONT_CANDIDATES, drawsChinese, findCjkFont } from '../../src/scheduler/chartFont.js';

const cjkFont = findCjkFont(undefined);
const latinOnlyFont = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const SCALE = 1.5;
if (!cjkFont) console.warn('chart tests skipped: no CJK font installed (apt-get install fonts-noto-cjk)');

/** The same chart with every Han character taken out of its texts (digits and punctuation stay). */
const withoutChinese = (p: ChartPicture): ChartPicture => ({ ...p, svg: p.svg.replace(/\p{Script=Han}/gu, '') });

/** Pixels that differ between two renders inside a box given in chart (unscaled) coordinates. */
function differing(a: RenderedChart, b: RenderedChart, box: { x0: number; y0: number; x1: number; y1: number }): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let y = Math.floor(box.y0 * SCALE); y < Math.min(a.height, Math.floor(box.y1 * SCALE)); y++) {
    for (let x = Math.floor(box.x0 * SCALE); x < Math.min(a.width, Math.floor(box.x1 * SCALE)); x++) {
      const i = (y * a.width + x) * 4;
      if (Math.abs(a.pixels[i]! - b.pixels[i]!) + Math.abs(a.pixels[i + 1]! - b.pixels[i + 1]!) + Math.abs(a.pixels[i + 2]! - b.pixels[i + 2]!) > 60) n++;
    }
  }
  return n;
}

const due = dueByCaseworkerChart(
  [
    { label: '李主任', overdue: 3, dueToday: 2 },
    { label: '欧阳晓梅', overdue: 0, dueToday: 4 },
    { label: '王主任', overdue: 1, dueToday: 0 },
  ],
  'zh-CN',
)!;
const weekly = weeklyVisitsChart(
  ['2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'].map((monday, i) => ({ monday, visits: [5, 8, 3, 12, 9, 7, 10, 4][i]! })),
  '东风镇',
  'zh-CN',
);
const reports = openReportsChart([1, 0, 2, 0, 1], 'zh-CN')!;

// Where each chart's own labels are: the names left of the bars; the axis captions under the bars; the title.
const cases: [string, ChartPicture, { x0: number; y0: number; x1: number; y1: number }][] = [
  ['due by caseworker: the names', due, { x0: 0, y0: 70, x1: NAME_GUTTER - 8, y1: due.height - 24 }],
  ['visits per week: the axis caption', weekly, { x0: 0, y0: weekly.height - AXIS_BAND + 22, x1: weekly.width, y1: weekly.height }],
  ['open reports by age: the age captions', reports, { x0: 0, y0: reports.height - AXIS_BAND + 16, x1: reports.width, y1: reports.height }],
  ['each chart: the title', weekly, { x0: 0, y0: 0, x1: weekly.width, y1: 40 }],
];

describe.skipIf(!cjkFont)('digest charts', () => {
  it.each(cases)('%s are drawn in Chinese glyphs', async (_name, picture, box) => {
    const drawn = await renderChart(picture, cjkFont!);
    const blank = await renderChart(withoutChinese(picture), cjkFont!);
    expect(differing(drawn, blank, box)).toBeGreaterThan(150);
    // Not tofu: a font without Chinese draws boxes there, and those look different.
    const tofu = await renderChart(picture, latinOnlyFont);
    expect(differing(drawn, tofu, box)).toBeGreaterThan(150);
  });

  it('leaves out charts with nothing to show, and stacks the rest into one PNG', async () => {
    expect(dueByCaseworkerChart([{ label: '李主任', overdue: 0, dueToday: 0 }], 'zh-CN')).toBeUndefined();
    expect(openReportsChart([0, 0, 0, 0, 0], 'en')).toBeUndefined();
    const stacked = stackCharts([due, weekly, reports]);
    expect(stacked.height).toBe(due.height + weekly.height + reports.height);
    const { png, width, height } = await renderChart(stacked, cjkFont!);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([width, height]).toEqual([stacked.width * SCALE, stacked.height * SCALE]);
  });

  it('names at most ten caseworkers and says how many more there are', () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ label: `主任${i}`, overdue: 13 - i, dueToday: 0 }));
    const chart = dueByCaseworkerChart(many, 'zh-CN')!;
    expect(chart.svg).toContain('主任9');
    expect(chart.svg).not.toContain('主任10<');
    expect(chart.svg).toContain('另有 3 人未列出');
    expect(dueByCaseworkerChart(many, 'en')!.svg).toContain('3 more not shown');
  });
});

describe('the chart font', () => {
  it('is CHART_FONT when set, else the first CJK font installed, else none', () => {
    expect(findCjkFont('/nonexistent/font.ttc')).toBeUndefined();
    expect(findCjkFont(latinOnlyFont)).toBe(latinOnlyFont);
    expect(findCjkFont(undefined, [])).toBeUndefined();
    expect(findCjkFont(undefined, ['/nonexistent.ttc', ...CJK_FONT_CANDIDATES])).toBe(cjkFont);
  });

  it.skipIf(!cjkFont)('is used only when it really draws Chinese (a Latin font would draw tofu)', async () => {
    expect(await drawsChinese(cjkFont!)).toBe(true);
    expect(await drawsChinese(latinOnlyFont)).toBe(false);
    expect(await drawsChinese('/nonexistent/font.ttc')).toBe(false);
  });
});
