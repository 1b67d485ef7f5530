// `npm run bench`: every benchmark, a table on stdout and bench/results/latest.json. BENCH_QUICK=1 for a smoke
// run; BENCH_SCHEDULER=1 adds the scheduler's benchmark when it exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runFlowBench } from './flow.js';
import { benchServerUrl } from './lib/pg.js';
import { machine, save, table, tidy, type BenchResult } from './lib/result.js';
import { runStartupBench } from './lib/startup.js';
import { saveMarkdown } from './lib/markdown.js';

const quick = process.env.BENCH_QUICK === '1';
const log = (line: string) => process.stderr.write(`${line}\n`);
const outFile = process.env.BENCH_OUT ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));

async function schedulerResults(): Promise<BenchResult[]> {
  const path = new URL('./scheduler.ts', import.meta.url);
  if (process.env.BENCH_SCHEDULER !== '1' || !existsSync(path)) return [];
  const mod = (await import(path.href)) as { runSchedulerBench?: () => Promise<BenchResult[]> };
  return mod.runSchedulerBench ? mod.runSchedulerBench() : [];
}

async function main(): Promise<void> {
  const started = Date.now();
  const atStart = machine();
  if (atStart.loadavg_1m > atStart.cores) log(`warning: load average ${atStart.loadavg_1m} on ${atStart.cores} cores — other work will skew the figures`);
  const results: BenchResult[] = [];
  log(`flow benchmark on ${new URL(benchServerUrl).host} (${quick ? 'quick' : 'full'})`);
  const flow = await runFlowBench({
    users: Number(process.env.BENCH_USERS ?? (quick ? 20 : 100)),
    conversationsPerUser: Number(process.env.BENCH_CONVERSATIONS ?? (quick ? 1 : 2)),
    runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 5)),
    thinkMs: Number(process.env.BENCH_THINK_MS ?? 50),
    log,
  });
  results.push(...flow.results);
  log('start-up benchmark (npm start, PGlite, demo data)');
  results.push(...(await runStartupBench({ runs: quick ? 1 : 3, log })));
  results.push(...(await schedulerResults()));
  const tidied = results.map(tidy);
  console.log(table(tidied));
  const report = {
    at: new Date().toISOString(),
    quick,
    machine: { ...atStart, loadavg_1m_after: machine().loadavg_1m },
    database: { ...flow.database, where: 'throwaway database on the local server (flow); PGlite (start-up)' },
    results: tidied,
  };
  save(outFile, report);
  saveMarkdown(outFile.replace(/\.json$/, '.md'), report);
  log(`saved ${outFile} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
