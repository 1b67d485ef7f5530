// `npm run bench:startup [-- <checkout> …]`: the start-up benchmark alone (bench/lib/startup.ts: `npm start` →
// /healthz 200 on PGlite with the demo data, a start after the first; the idle RSS 1.5 s later). Each other built
// checkout named (a worktree at an older commit, `npm run build` done in it) is started in turn with this one, so
// before and after meet the same load; the machine is shared, so the load average is printed before and after.
// BENCH_RUNS warm starts each (default 5); medians.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, serviceRss, startService, stopService } from './lib/startup.js';
import { mb, median } from './lib/stats.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const here = fileURLToPath(new URL('../', import.meta.url));
const checkouts = [here, ...process.argv.slice(2).map((path) => resolve(path))];
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  console.log(`load average (1, 5, 15 min) before: ${load()}`);
  const sides = await Promise.all(
    checkouts.map(async (checkout) => ({ checkout, dataDir: mkdtempSync(join(tmpdir(), 'cw-bench-start-')), port: await freePort(), ms: [] as number[], rss: [] as number[] })),
  );
  try {
    for (const side of sides) {
      const first = await startService(side.dataDir, side.port, side.checkout);
      console.log(`${side.checkout}: first start (migrations, demo seed) ${first.ms.toFixed(0)} ms`);
      await stopService(first.child);
    }
    for (let i = 0; i < runs; i++) {
      for (const side of sides) {
        let child: ChildProcess | undefined;
        try {
          const started = await startService(side.dataDir, side.port, side.checkout);
          child = started.child;
          side.ms.push(started.ms);
          await new Promise((r) => setTimeout(r, 1500));
          side.rss.push(serviceRss(child.pid!));
        } finally {
          if (child) await stopService(child);
        }
      }
    }
  } finally {
    for (const side of sides) rmSync(side.dataDir, { recursive: true, force: true });
  }
  for (const side of sides) {
    console.log(
      `${side.checkout}: warm start median ${median(side.ms).toFixed(0)} ms of ${runs} [${side.ms.map((ms) => ms.toFixed(0)).join(' ')}]; ` +
        `idle RSS median ${mb(median(side.rss))} MB [${side.rss.map(mb).join(' ')}]`,
    );
  }
  console.log(`load average (1, 5, 15 min) after: ${load()}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
