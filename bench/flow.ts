// Benchmarks 1–3: the log-a-visit conversation under load, ours against the grammY-documentation peer and against
// the bare-SQL floor, in one run on one throwaway PostgreSQL database; and the memory it takes.
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { openDatabase } from '../src/db/client.js';
import { countingDatabase, countingPool, StatementCounter } from './lib/counting.js';
import { bareBot, oursBot, peerBot, POOL_SIZE, type BenchBot } from './lib/bots.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { createThrowawayDatabase } from './lib/pg.js';
import type { BenchResult } from './lib/result.js';
import { visitScript } from './lib/script.js';
import { mb, median, percentile, RssSampler } from './lib/stats.js';
import { seedBenchWorld } from './lib/world.js';

export interface FlowBenchOptions {
  users: number;
  conversationsPerUser: number;
  runs: number;
  log?: (line: string) => void;
}

interface RunFigures {
  throughput: number;
  p50: number;
  p99: number;
  steps: Map<number, number>;
  cpuPerUpdate: number;
}

/** The steps whose cost is shown, to see whether it grows along the conversation. */
export const shownSteps = [1, 8, 15] as const;

function figures(r: LoadResult): RunFigures {
  const steps = new Map<number, number>();
  for (const s of shownSteps) steps.set(s, percentile(r.byStep.get(s) ?? [], 50));
  return { throughput: (r.updates / r.wallMs) * 1000, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), steps, cpuPerUpdate: r.cpuMs / r.updates };
}

const bareScript = visitScript.map((a) => ('say' in a ? a : { pressIndex: 0 }));

async function count(db: Db, query: string): Promise<number> {
  const rows = (await db.execute(sql.raw(query))) as unknown as Record<string, unknown>[];
  return Number(Object.values(rows[0]!)[0]);
}

interface Profile {
  statements: number[];
  ms: number[];
}

/** One conversation alone through each bot, its statements counted per update. */
async function profileOneConversation(url: string, telegramId: number): Promise<Record<'ours' | 'peer', Profile>> {
  const out = {} as Record<'ours' | 'peer', Profile>;
  for (const which of ['ours', 'peer'] as const) {
    const counter = new StatementCounter();
    const countedDb = which === 'ours' ? countingDatabase(url, counter) : undefined;
    const pool = which === 'peer' ? countingPool(url, counter) : undefined;
    const b = which === 'ours' ? await oursBot(url, countedDb) : await peerBot(url, pool);
    try {
      const user = b.api.user(telegramId);
      const profile: Profile = { statements: [], ms: [] };
      for (const action of visitScript) {
        const update = 'say' in action ? b.api.text(user, action.say) : b.api.press(user, 'press' in action ? { label: action.press } : { index: action.pressIndex });
        counter.take();
        const t0 = performance.now();
        await b.bot.handleUpdate(update);
        profile.ms.push(performance.now() - t0);
        profile.statements.push(counter.take());
      }
      out[which] = profile;
    } finally {
      await b.close();
      if (countedDb) await countedDb.close();
    }
  }
  return out;
}

export async function runFlowBench(options: FlowBenchOptions): Promise<{ results: BenchResult[]; database: { kind: string; version: string } }> {
  const log = options.log ?? (() => {});
  const target = await createThrowawayDatabase();
  const database = await openDatabase({ databaseUrl: target.url, poolSize: POOL_SIZE });
  const bots: BenchBot[] = [];
  try {
    const seeded = await seedBenchWorld(database.db, options.users + 1, 2 + options.conversationsPerUser * (options.runs + 1));
    // The last caseworker is kept out of the load: one conversation alone, statements counted, for the profile.
    const users = seeded.slice(0, -1);
    const profiled = seeded[seeded.length - 1]!.telegramId;
    const ids = users.map((u) => u.telegramId);
    const ours = await oursBot(target.url, database);
    const peer = await peerBot(target.url);
    const bare = await bareBot(target.url);
    bots.push(ours, peer, bare);

    const staffIds = users.map((u) => u.staffId).join(',');
    const drive = async (which: 'ours' | 'peer' | 'bare', subset: number[], conversations: number) => {
      if (which === 'bare') {
        // The floor moves an existing conversation row on; give each user one, and retire them afterwards.
        await database.db.execute(sql.raw(`insert into conversations (staff_id, channel, chat_id, flow, step, answers, trail, started_at, updated_at)
          select id, 'telegram', id::text, 'visit', 'kind', '{}', '[]', now(), now() from staff where id in (${staffIds})`));
        try {
          return await runLoad({ bot: bare.bot, api: bare.api, telegramIds: subset, conversationsPerUser: conversations, script: bareScript, expectSaved: false });
        } finally {
          await database.db.execute(sql.raw(`update conversations set status = 'cancelled' where status = 'active' and staff_id in (${staffIds})`));
        }
      }
      const bot = which === 'ours' ? ours : peer;
      return runLoad({ bot: bot.bot, api: bot.api, telegramIds: subset, conversationsPerUser: conversations });
    };

    log(`warming up (${Math.min(10, ids.length)} users, one conversation each, every bot)`);
    for (const which of ['ours', 'peer', 'bare'] as const) await drive(which, ids.slice(0, Math.min(10, ids.length)), 1);

    const profile = await profileOneConversation(target.url, profiled);
    for (const which of ['ours', 'peer'] as const) {
      const p = profile[which];
      log(`profile ${which}: statements per update ${p.statements.join(' ')}; unloaded ms ${p.ms.map((m) => m.toFixed(1)).join(' ')}`);
    }

    const idleRss = process.memoryUsage.rss();
    const runs: Record<'ours' | 'peer' | 'bare', RunFigures[]> = { ours: [], peer: [], bare: [] };
    const peaks: number[] = [];
    const visitsBefore = await count(database.db, "select count(*) from visits where channel = 'telegram' and ref not like 'ZF-BENCH-%'");
    let oursCompleted = 0;
    for (let run = 1; run <= options.runs; run++) {
      for (const which of ['ours', 'peer', 'bare'] as const) {
        const sampler = new RssSampler().start();
        const result = await drive(which, ids, options.conversationsPerUser);
        const peak = sampler.stop();
        if (which === 'ours') {
          peaks.push(peak);
          oursCompleted += result.completed;
        }
        const f = figures(result);
        runs[which].push(f);
        log(`run ${run}/${options.runs} ${which.padEnd(4)} ${result.updates} updates in ${(result.wallMs / 1000).toFixed(1)} s: ` +
          `${f.throughput.toFixed(0)}/s, cpu ${f.cpuPerUpdate.toFixed(2)} ms/update, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ` +
          `steps ${shownSteps.map((s) => `${s}: ${f.steps.get(s)!.toFixed(1)}`).join(' ')} ms`);
      }
    }
    // The same conversation at a light load (10 users), where latency is the work rather than the queue.
    const light: Record<'ours' | 'peer', RunFigures[]> = { ours: [], peer: [] };
    const lightIds = ids.slice(0, Math.min(10, ids.length));
    for (let run = 1; run <= options.runs; run++) {
      for (const which of ['ours', 'peer'] as const) {
        const f = figures(await drive(which, lightIds, 1));
        light[which].push(f);
        log(`light ${run}/${options.runs} ${which.padEnd(4)} ${lightIds.length} users: p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms`);
      }
    }

    const visitsAfter = await count(database.db, "select count(*) from visits where channel = 'telegram' and ref not like 'ZF-BENCH-%'");
    const dupes = await count(database.db, 'select count(*) from (select ref from visits group by ref having count(*) > 1) d');
    log(`visits written by ours and the peer during the measured runs: ${visitsAfter - visitsBefore} (ours completed ${oursCompleted}); duplicate refs: ${dupes}`);

    const med = (which: 'ours' | 'peer' | 'bare', pick: (f: RunFigures) => number) => median(runs[which].map(pick));
    const load = `${options.users} users at once × ${options.conversationsPerUser} conversation(s) × ${visitScript.length} updates; median of ${options.runs} run(s); pool ${POOL_SIZE}`;
    const results: BenchResult[] = [];
    const tp = med('ours', (f) => f.throughput);
    const tpPeer = med('peer', (f) => f.throughput);
    results.push({ name: 'flow.throughput', value: tp, unit: 'updates/s', peer: 'grammY conversations + storage-psql', peer_value: tpPeer, ratio: tp / tpPeer, note: load });
    for (const [key, pick] of [['p50', (f: RunFigures) => f.p50], ['p99', (f: RunFigures) => f.p99]] as const) {
      const ours = med('ours', pick);
      const p = med('peer', pick);
      results.push({ name: `flow.latency.${key}`, value: ours, unit: 'ms/update', peer: 'grammY conversations + storage-psql', peer_value: p, ratio: p / ours, note: 'ratio = peer / ours (higher is better for us)' });
    }
    for (const [key, pick] of [['p50', (f: RunFigures) => f.p50], ['p99', (f: RunFigures) => f.p99]] as const) {
      const ours = median(light.ours.map(pick));
      const p = median(light.peer.map(pick));
      results.push({ name: `flow.light.${key}`, value: ours, unit: 'ms/update', peer: 'grammY conversations + storage-psql', peer_value: p, ratio: p / ours, note: `${lightIds.length} users at once × 1 conversation; median of ${options.runs}; ratio = peer / ours; target p99 < 20` });
    }
    for (const s of shownSteps) {
      const ours = med('ours', (f) => f.steps.get(s)!);
      const p = med('peer', (f) => f.steps.get(s)!);
      results.push({ name: `flow.step${s}.p50`, value: ours, unit: 'ms/update', peer: 'grammY conversations + storage-psql', peer_value: p, ratio: p / ours, note: `median latency of update ${s} of ${visitScript.length} under the same load` });
    }
    const floor = med('bare', (f) => f.throughput);
    const cpuOurs = med('ours', (f) => f.cpuPerUpdate);
    const cpuPeer = med('peer', (f) => f.cpuPerUpdate);
    results.push({ name: 'flow.cpu_per_update', value: cpuOurs, unit: 'ms CPU/update', peer: 'grammY conversations + storage-psql', peer_value: cpuPeer, ratio: cpuPeer / cpuOurs, note: 'CPU time of the bot process per update under load (PostgreSQL\'s own CPU not included); ratio = peer / ours' });
    const perUpdate = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    results.push({ name: 'flow.statements.per_update', value: perUpdate(profile.ours.statements), unit: 'statements', peer: 'grammY conversations + storage-psql', peer_value: perUpdate(profile.peer.statements), ratio: perUpdate(profile.peer.statements) / perUpdate(profile.ours.statements), note: 'SQL statements sent per update (incl. begin/commit), one conversation alone; ratio = peer / ours' });
    for (const s of shownSteps) {
      results.push({ name: `flow.step${s}.statements`, value: profile.ours.statements[s - 1]!, unit: 'statements', peer: 'grammY conversations + storage-psql', peer_value: profile.peer.statements[s - 1]! });
    }
    for (const s of shownSteps) {
      const p = profile.peer.ms[s - 1]!;
      results.push({ name: `flow.step${s}.unloaded`, value: profile.ours.ms[s - 1]!, unit: 'ms/update', peer: 'grammY conversations + storage-psql', peer_value: p, ratio: p / profile.ours.ms[s - 1]!, note: 'one conversation alone, no other load' });
    }
    results.push({ name: 'limit.fraction', value: tp / floor, unit: 'fraction', peer: 'bare SQL step (dedupe insert + state update in a transaction)', peer_value: floor, note: `ours ${tp.toFixed(0)} updates/s over the floor's ${floor.toFixed(0)} updates/s, same bot path and load` });
    results.push({ name: 'limit.bare.p99', value: med('bare', (f) => f.p99), unit: 'ms/update', note: 'the floor\'s own p99 under the same load' });
    results.push({ name: 'memory.rss.bench_idle', value: mb(idleRss), unit: 'MB', note: 'the bench process with the three bots loaded, before the measured runs' });
    results.push({ name: 'memory.rss.flow_peak', value: mb(median(peaks)), unit: 'MB', note: 'peak RSS of the bench process during our runs (sampled every 25 ms), median over runs; target < 300' });
    return { results, database: { kind: 'postgres', version: target.version } };
  } catch (error) {
    // Said before the clean-up: dropping the database ends its connections, which can take the process down.
    log(`flow benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    throw error;
  } finally {
    for (const b of bots) await b.close().catch(() => {});
    await database.close().catch(() => {});
    await target.drop();
  }
}
