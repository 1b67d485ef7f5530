// `npm run bench:charts`: how long one supervisor's digest picture takes — ECharts building the SVG on the server, and
// resvg turning it into the PNG that Telegram and Feishu receive (font file loaded each time, as the painter does) —
// and how many pictures a morning's digest run draws per second at the painter's two at a time. Prints a table and
// writes bench/results/charts.json (and .md) with the machine and its load before and after: on a busy machine
// every figure is slower. BENCH_QUICK=1 for a smoke run.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { findCjkFont } from '../src/scheduler/chartFont.js';
import { renderChart, stackCharts } from '../src/scheduler/chart.js';
import type { DigestSummary } from '../src/scheduler/digest.js';
import { digestPictures, DigestPainter } from '../src/scheduler/digestChart.js';
import { saveMarkdown } from './lib/markdown.js';
import { machine, save, table, tidy, type BenchResult } from './lib/result.js';

const quick = process.env.BENCH_QUICK === '1';
const runs = Number(process.env.BENCH_CHART_RUNS ?? (quick ? 5 : 40));
const outFile = process.env.BENCH_OUT ?? fileURLToPath(new URL('./results/charts.json', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A township's digest as a supervisor gets it: every bar of every chart in use. */
function township(n: number): DigestSummary {
  const names = ['李梅', '王强', '张丽华', '刘建国', '陈小红', '杨帆', '黄志明', '赵敏', '周杰', '吴倩', '徐丽', '孙浩'];
  return {
    areaName: `东风镇${n}`,
    date: '2026-11-23',
    visitsYesterday: 9,
    overdue: 23,
    dueToday: 7,
    unassigned: 1,
    byCaseworker: names.map((label, i) => ({ label, overdue: (i * 7 + n) % 9, dueToday: (i + n) % 4 })),
    byVillage: [],
    riskRises: [],
    newReports: 1,
    openReports: [],
    escalated: [],
    inactive: [],
    weeks: Array.from({ length: 8 }, (_, i) => ({ monday: `2026-${i < 3 ? '09' : '10'}-${String(1 + i * 3).padStart(2, '0')}`, visits: 20 + ((i * 13 + n) % 25) })),
    openReportsByAge: [1, 2, 0, 3, 1],
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

async function main(): Promise<void> {
  const font = findCjkFont(process.env.CHART_FONT);
  if (!font) throw new Error('no CJK font: apt-get install fonts-noto-cjk, or set CHART_FONT');
  const atStart = machine();
  if (atStart.loadavg_1m > atStart.cores) log(`warning: load average ${atStart.loadavg_1m} on ${atStart.cores} cores — other work will skew the figures`);
  log(`digest chart benchmark: ${runs} runs, font ${font}`);

  // Warm-up: the first ECharts import and the first resvg call pay one-off costs (module load, font parse).
  const first = performance.now();
  await renderChart(stackCharts(digestPictures(township(0), 'zh-CN')), font);
  const firstMs = performance.now() - first;

  const svgMs: number[] = [];
  const pngMs: number[] = [];
  let pngBytes = 0;
  let height = 0;
  for (let i = 1; i <= runs; i++) {
    const a = performance.now();
    const picture = stackCharts(digestPictures(township(i), 'zh-CN'));
    const b = performance.now();
    const { png, height: h } = await renderChart(picture, font);
    const c = performance.now();
    svgMs.push(b - a);
    pngMs.push(c - b);
    pngBytes = png.length;
    height = h;
  }

  // A morning's run: the painter draws the supervisors' pictures two at a time on libuv's thread pool.
  const supervisors = quick ? 10 : 60;
  const painter = new DigestPainter(font, undefined);
  const started = performance.now();
  const drawn = await Promise.all(Array.from({ length: supervisors }, (_, i) => painter.picture(i + 1, township(i), 'zh-CN')));
  const wallS = (performance.now() - started) / 1000;
  if (drawn.some((p) => p === undefined)) throw new Error('a picture was not drawn');

  const note = `median of ${runs}; load ${atStart.loadavg_1m} at start`;
  const results: BenchResult[] = [
    { name: 'digest chart: first picture (module load, font parse)', value: firstMs, unit: 'ms' },
    { name: 'digest chart: ECharts SVG (3 charts, stacked)', value: median(svgMs), unit: 'ms', note },
    { name: 'digest chart: ECharts SVG p95', value: p95(svgMs), unit: 'ms', note: `p95 of ${runs}` },
    { name: 'digest chart: resvg PNG (1.5×, font loaded)', value: median(pngMs), unit: 'ms', note },
    { name: 'digest chart: resvg PNG p95', value: p95(pngMs), unit: 'ms', note: `p95 of ${runs}` },
    { name: 'digest chart: PNG size', value: pngBytes / 1024, unit: 'KiB', note: `${height} px high` },
    { name: 'digest chart: pictures per second (painter, 2 at a time)', value: supervisors / wallS, unit: '/s', note: `${supervisors} supervisors` },
  ].map(tidy);
  console.log(table(results));
  const report = {
    at: new Date().toISOString(),
    quick,
    machine: { ...atStart, loadavg_1m_after: machine().loadavg_1m },
    database: { kind: 'none', version: '-', where: 'no database: charts only' },
    results,
  };
  save(outFile, report);
  saveMarkdown(outFile.replace(/\.json$/, '.md'), report);
  log(`saved ${outFile}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
