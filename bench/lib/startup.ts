// Benchmark 4: `npm start` as a user runs it (a child process, PGlite with the demo data, a start after the first),
// timed from the spawn to /healthz answering 200; and the service's resident memory when idle.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './result.js';
import { mb, median } from './stats.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Spawns `npm start` in its own process group; resolves with the time until /healthz answers 200. `checkout` is the
 * built clone to start (this one by default; bench/startup.ts compares another).
 */
export async function startService(dataDir: string, port: number, checkout = root): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: checkout,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), LOCAL_CHAT: '1', LOG_LEVEL: 'warn', TELEGRAM_BOT_TOKEN: '', FEISHU_APP_ID: '' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}): ${stderr.slice(-2000)}`);
    if (Date.now() > deadline) {
      stopService(child);
      throw new Error(`npm start: /healthz did not answer in 60 s: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, ms: performance.now() - started };
}

/** The largest resident set among the service's processes (npm and tsx wrap the node process that serves). */
export function serviceRss(groupId: number): number {
  let max = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (rss) max = Math.max(max, Number(rss) * 1024);
    } catch {
      // the process ended while being read
    }
  }
  return max;
}

export function stopService(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // SIGTERM to the group: the service closes PGlite cleanly (a killed PGlite can corrupt its directory).
    process.kill(-child.pid!, 'SIGTERM');
  });
}

export async function runStartupBench(options: { runs: number; log?: (line: string) => void }): Promise<BenchResult[]> {
  const log = options.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-bench-start-'));
  try {
    const port = await freePort();
    const first = await startService(dataDir, port);
    log(`first start (migrations, demo seed): ${first.ms.toFixed(0)} ms`);
    await stopService(first.child);
    const times: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const { child, ms } = await startService(dataDir, port);
      times.push(ms);
      await new Promise((r) => setTimeout(r, 1500));
      idle.push(serviceRss(child.pid!));
      await stopService(child);
      log(`start ${i + 2}: ${ms.toFixed(0)} ms to /healthz; idle RSS ${mb(idle[idle.length - 1]!)} MB`);
    }
    return [
      { name: 'startup.healthz', value: median(times), unit: 'ms', note: `npm start → /healthz 200, PGlite with demo data, a start after the first; median of ${options.runs}; target < 5000` },
      { name: 'startup.first_run', value: first.ms, unit: 'ms', note: 'the very first start: creates the data directory, migrates, seeds the demo county' },
      { name: 'memory.rss.service_idle', value: mb(median(idle)), unit: 'MB', note: 'the serving node process 1.5 s after /healthz answered (PGlite in process)' },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
