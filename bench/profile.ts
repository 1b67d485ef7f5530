// Where our bot's CPU goes: our bot alone under the saturated load, profiled (V8's sampling profiler) during the
// measured run only, and the profile's self time summed by where the code lives (our source, drizzle, postgres.js,
// grammY, Node itself). `npm run bench:profile`; BENCH_USERS (default 50) caseworkers × one conversation each.
import { Session } from 'node:inspector/promises';
import { openDatabase } from '../src/db/client.js';
import { oursBot, POOL_SIZE } from './lib/bots.js';
import { runLoad } from './lib/load.js';
import { createThrowawayDatabase } from './lib/pg.js';
import { seedBenchWorld } from './lib/world.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by bucket, as fractions of the samples that were not idle. */
function summariseProfile(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') return;
    busy += dt;
    const key = bucket(frame.url, frame.functionName);
    totals.set(key, (totals.get(key) ?? 0) + dt);
  });
  return [...totals].map(([k, v]) => [k, v / busy] as [string, number]).sort((a, b) => b[1] - a[1]);
}

function bucket(url: string, fn: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/src/')) return `our code (${/\/src\/([^/]+)/.exec(url)?.[1] ?? ''})`;
  if (url.includes('/bench/')) return 'the bench itself';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (url.startsWith('node:')) return 'Node\'s own JavaScript (streams, sockets, timers)';
  if (url === '') return `built-in: ${fn || '(anonymous)'}`;
  return url;
}

async function main(): Promise<void> {
  const users = Number(process.env.BENCH_USERS ?? 50);
  const target = await createThrowawayDatabase();
  const database = await openDatabase({ databaseUrl: target.url, poolSize: POOL_SIZE });
  try {
    const seeded = await seedBenchWorld(database.db, users, 4);
    const ours = await oursBot(target.url, database);
    const ids = seeded.map((u) => u.telegramId);
    await runLoad({ bot: ours.bot, api: ours.api, telegramIds: ids.slice(0, 10), conversationsPerUser: 1 });
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const r = await runLoad({ bot: ours.bot, api: ours.api, telegramIds: ids, conversationsPerUser: 1 });
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    console.log(`${r.updates} updates, ${((r.updates / r.wallMs) * 1000).toFixed(0)}/s, cpu ${(r.cpuMs / r.updates).toFixed(2)} ms/update; self time of the busy samples:`);
    for (const [k, v] of summariseProfile(profile as unknown as CpuProfile).slice(0, 20)) console.log(`${(v * 100).toFixed(1).padStart(5)} %  ${k}`);
  } finally {
    await database.close();
    await target.drop();
  }
}

await main();
