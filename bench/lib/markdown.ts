// The figures of a bench report as Markdown (bench/results/latest.md), so documentation quotes the program's
// output rather than numbers typed by hand.
import { writeFileSync } from 'node:fs';
import type { BenchReport } from './result.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function reportMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Measured ${report.at}${report.quick ? ' (BENCH_QUICK=1: a smoke run, not for comparison)' : ''} on ${m.cores} cores (${m.cpu}), ` +
      `${m.memory_mb} MB, Node ${m.node}, ${m.platform}; load average ${m.loadavg_1m} when the run began and ${m.loadavg_1m_after ?? '?'} when it ended; ` +
      `PostgreSQL ${report.database.version} (${report.database.where}).`,
    '',
    '| benchmark | value | unit | peer | peer value | ratio | note |',
    '| --- | ---: | --- | --- | ---: | ---: | --- |',
    ...report.results.map((r) =>
      `| ${cell(r.name)} | ${r.value} | ${cell(r.unit)} | ${cell(r.peer ?? '')} | ${r.peer_value ?? ''} | ${r.ratio === undefined ? '' : `${r.ratio}×`} | ${cell(r.note ?? '')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

export function saveMarkdown(path: string, report: BenchReport): void {
  writeFileSync(path, reportMarkdown(report));
}
