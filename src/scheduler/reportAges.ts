// The age bars of open reports in a digest. Apart from chart.ts so the digest's figures need not load ECharts
// (about 80 MB) in a process that never draws.
import type { ChartKey } from '../i18n/sections/charts.js';

export const REPORT_AGES = ['age.today', 'age.days1to3', 'age.days4to7', 'age.days8to30', 'age.over30'] as const satisfies readonly ChartKey[];

/** Which age bar a report filed `days` whole days ago falls in. */
export function reportAgeBucket(days: number): number {
  return days < 1 ? 0 : days <= 3 ? 1 : days <= 7 ? 2 : days <= 30 ? 3 : 4;
}
