// One benchmark figure as it is printed and saved in bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, when it is. */
  peer?: string;
  peer_value?: number;
  /** ours / peer's, oriented so that higher is better for us. */
  ratio?: number;
  /** A short note: the load, the runs the median was taken over, the target. */
  note?: string;
}

export interface Machine {
  cores: number;
  cpu: string;
  memory_mb: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadavg_1m: number;
  /** The same when the run ended. */
  loadavg_1m_after?: number;
}

export interface BenchReport {
  at: string;
  quick: boolean;
  machine: Machine;
  database: { kind: string; version: string; where: string };
  results: BenchResult[];
}

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    memory_mb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadavg_1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n);

/** Rounds to three decimals; a ratio is computed where a peer value exists and is not given. */
export function tidy(r: BenchResult): BenchResult {
  return {
    ...r,
    value: round(r.value),
    ...(r.peer_value !== undefined ? { peer_value: round(r.peer_value) } : {}),
    ...(r.ratio !== undefined ? { ratio: round(r.ratio) } : {}),
  };
}

export function table(results: readonly BenchResult[]): string {
  const rows = [['benchmark', 'value', 'unit', 'peer', 'peer value', 'ratio'], ...results.map((r) => [
    r.name,
    String(r.value),
    r.unit,
    r.peer ?? '',
    r.peer_value === undefined ? '' : String(r.peer_value),
    r.ratio === undefined ? '' : `${r.ratio}×`,
  ])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => [...row[i]!].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 1 || i >= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function save(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
