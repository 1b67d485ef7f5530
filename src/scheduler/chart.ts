// The digest's charts, drawn with Apache ECharts on the server (SVG, no browser) and turned into one PNG by resvg
// with a CJK font: bars named by caseworker, visits per week, open reports by age. Each chart reads on its own:
// a title, named axes, a legend, the value on every bar.
import { renderAsync } from '@resvg/resvg-js';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { chartText, type ChartKey } from '../i18n/sections/charts.js';
import { REPORT_AGES } from './reportAges.js';
import type { Locale, Params } from '../i18n/translator.js';

echarts.use([BarChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

export { REPORT_AGES, reportAgeBucket } from './reportAges.js';

export interface ChartPicture {
  svg: string;
  width: number;
  height: number;
}

export interface DueBar {
  label: string;
  overdue: number;
  dueToday: number;
}

export const WIDTH = 640;
/** Room for the names left of the caseworker bars and for the labels under the other charts. */
export const NAME_GUTTER = 120;
export const AXIS_BAND = 48;
export const MAX_BARS = 10;

export const colours = { overdue: '#d62728', dueToday: '#f0a30a', visits: '#3b6fb6', reports: '#8c564b', text: '#222222', grid: '#dddddd' };

const FONT = { fontSize: 14, color: colours.text };
const title = (text: string, subtext?: string) => ({
  text,
  ...(subtext ? { subtext } : {}),
  left: 12,
  top: 8,
  textStyle: { fontSize: 17, fontWeight: 'bold' as const, color: colours.text },
  subtextStyle: { fontSize: 13, color: '#555555' },
});

function draw(option: echarts.EChartsCoreOption, height: number): ChartPicture {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: FONT, ...option });
    return { svg: chart.renderToSVGString(), width: WIDTH, height };
  } finally {
    // An SSR chart keeps zrender's animation timer alive until disposed.
    chart.dispose();
  }
}

const t = (locale: Locale, key: ChartKey, params?: Params) => chartText(locale, key, params);

/** Horizontal stacked bars, one per caseworker (worst first), named on the left, totals at the end of each bar. */
export function dueByCaseworkerChart(bars: DueBar[], locale: Locale): ChartPicture | undefined {
  const shown = bars.filter((b) => b.overdue + b.dueToday > 0).slice(0, MAX_BARS);
  if (shown.length === 0) return undefined;
  const hidden = bars.filter((b) => b.overdue + b.dueToday > 0).length - shown.length;
  const rows = [...shown].reverse(); // ECharts draws the first category at the bottom.
  const height = 110 + rows.length * 34;
  const series = (name: string, values: number[], color: string, total: boolean) => ({
    name,
    type: 'bar' as const,
    stack: 'due',
    barWidth: 20,
    itemStyle: { color },
    data: values,
    label: total
      ? { show: true, position: 'right' as const, fontSize: 13, color: colours.text, formatter: (p: { dataIndex: number }) => `${rows[p.dataIndex]!.overdue} / ${rows[p.dataIndex]!.dueToday}` }
      : { show: false },
  });
  return draw(
    {
      title: title(t(locale, 'due.title'), hidden > 0 ? t(locale, 'due.more', { count: hidden }) : undefined),
      legend: { top: 12, right: 16, textStyle: FONT, data: [t(locale, 'due.overdue'), t(locale, 'due.today')] },
      grid: { left: NAME_GUTTER, right: 70, top: 70, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: colours.grid } }, axisLabel: FONT },
      yAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { ...FONT, width: NAME_GUTTER - 16, overflow: 'truncate' } },
      series: [
        series(t(locale, 'due.overdue'), rows.map((r) => r.overdue), colours.overdue, false),
        series(t(locale, 'due.today'), rows.map((r) => r.dueToday), colours.dueToday, true),
      ],
    },
    height,
  );
}

/** Eight bars, one per week (Monday to Sunday), oldest first; the week labelled by its Monday. */
export function weeklyVisitsChart(weeks: { monday: string; visits: number }[], area: string, locale: Locale): ChartPicture {
  const label = (monday: string) => t(locale, 'weekly.week', { month: Number(monday.slice(5, 7)), day: Number(monday.slice(8, 10)) });
  return draw(
    {
      title: title(t(locale, 'weekly.title', { area })),
      grid: { left: 56, right: 24, top: 56, bottom: AXIS_BAND },
      xAxis: { type: 'category', name: t(locale, 'weekly.axis'), nameLocation: 'middle', nameGap: 30, nameTextStyle: FONT, data: weeks.map((w) => label(w.monday)), axisLabel: FONT },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: colours.grid } }, axisLabel: FONT },
      series: [{ type: 'bar', barWidth: 32, itemStyle: { color: colours.visits }, data: weeks.map((w) => w.visits), label: { show: true, position: 'top', fontSize: 13, color: colours.text } }],
    },
    280,
  );
}

/** Open reports counted by how long ago they were filed; undefined when none is open. */
export function openReportsChart(perAge: number[], locale: Locale): ChartPicture | undefined {
  if (perAge.every((n) => n === 0)) return undefined;
  return draw(
    {
      title: title(t(locale, 'reports.title')),
      grid: { left: 56, right: 24, top: 56, bottom: AXIS_BAND - 16 },
      xAxis: { type: 'category', data: REPORT_AGES.map((k) => t(locale, k)), axisLabel: FONT },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: colours.grid } }, axisLabel: FONT },
      series: [{ type: 'bar', barWidth: 40, itemStyle: { color: colours.reports }, data: perAge, label: { show: true, position: 'top', fontSize: 13, color: colours.text } }],
    },
    240,
  );
}

/** The charts one under the other, as one picture (one image per digest message). */
export function stackCharts(pictures: ChartPicture[]): ChartPicture {
  let y = 0;
  const parts = pictures.map((p) => {
    const placed = p.svg.replace('<svg ', `<svg x="0" y="${y}" `);
    y += p.height;
    return placed;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}"><rect width="100%" height="100%" fill="#ffffff"/>${parts.join('')}</svg>`;
  return { svg, width: WIDTH, height: y };
}

export interface RenderedChart {
  png: Buffer;
  /** RGBA, row by row (tests look at the pixels). */
  pixels: Buffer;
  width: number;
  height: number;
}

/** SVG → PNG on libuv's thread pool (the event loop is not held), at 1.5× for phone screens. */
export async function renderChart(picture: ChartPicture, fontFile: string): Promise<RenderedChart> {
  const image = await renderAsync(picture.svg, {
    font: { fontFiles: [fontFile], loadSystemFonts: false },
    fitTo: { mode: 'zoom', value: 1.5 },
    background: '#ffffff',
  });
  return { png: image.asPng(), pixels: image.pixels, width: image.width, height: image.height };
}
