// Benchmarks 1–3: the log-a-visit conversation, ours against the grammY-documentation peer and against the floor
// (the least SQL one update must do), on one throwaway PostgreSQL database: round trips per update, saturated
// throughput, latency with a think time, CPU per update in the bot process and in PostgreSQL, and memory.
import { loadavg } from 'node:os';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { openDatabase } from '../src/db/client.js';
import { bareBot, oursBot, peerBot, POOL_SIZE, type BenchBot } from './lib/bots.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { createThrowawayDatabase } from './lib/pg.js';
import type { BenchResult } from './lib/result.js';
import { RoundTripCounter } from './lib/roundTrips.js';
import { visitScript } from './lib/script.js';
import { ServerCpu } from './lib/serverCpu.js';
import { mb, median, percentile, RssSampler } from './lib/stats.js';
import { seedBenchWorld } from './lib/world.js';

export interface FlowBenchOptions {
  users: number;
  conversationsPerUser: number;
  runs: number;
  /** Think time between a user's answers in the moderate-load runs, ms. */
  thinkMs: number;
  log?: (line: string) => void;
}

type Side = 'ours' | 'peer' | 'bare';
const sides: readonly Side[] = ['ours', 'peer', 'bare'];
/** Conversations per user through every bot before anything is measured. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 3);
const PEER = 'grammY conversations + storage-psql';

interface RunFigures {
  throughput: number;
  p50: number;
  p99: number;
  steps: Map<number, number>;
  botCpuPerUpdate: number;
  /** PostgreSQL's CPU per update (its backends serving this database), when the server runs on this machine. */
  serverCpuPerUpdate: number | undefined;
}

/** The steps whose cost is shown, to see whether it grows along the conversation. */
export const shownSteps = [1, 8, 15] as const;

const bareScript = visitScript.map((a) => ('say' in a ? a : { pressIndex: 0 }));
const load1m = () => Math.round(loadavg()[0]! * 100) / 100;

async function count(db: Db, query: string): Promise<number> {
  const rows = (await db.execute(sql.raw(query))) as unknown as Record<string, unknown>[];
  return Number(Object.values(rows[0]!)[0]);
}

interface Profile {
  roundTrips: number[];
  statements: number[];
  ms: number[];
}

const average = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function runFlowBench(options: FlowBenchOptions): Promise<{ results: BenchResult[]; database: { kind: string; version: string }; load: { before: number; after: number } }> {
  const log = options.log ?? (() => {});
  const loadBefore = load1m();
  const target = await createThrowawayDatabase();
  const database = await openDatabase({ databaseUrl: target.url, poolSize: POOL_SIZE });
  const serverCpu = new ServerCpu(target.url);
  const bots: BenchBot[] = [];
  try {
    const perUser = 4 + WARM_UP + options.conversationsPerUser * (options.runs + 1) + 2 * options.runs;
    const seeded = await seedBenchWorld(database.db, options.users + 1, perUser);
    // The last caseworker is kept out of the load: conversations alone, round trips counted, for the profile.
    const users = seeded.slice(0, -1);
    const profiled = seeded[seeded.length - 1]!;
    const ids = users.map((u) => u.telegramId);
    const ours = await oursBot(target.url, database);
    const peer = await peerBot(target.url);
    const bare = await bareBot(target.url);
    bots.push(ours, peer, bare);
    const bot = { ours, peer, bare };

    // The floor moves an existing conversation row on; give each of its users one while it runs.
    const withBareState = async <T>(staffIds: number[], run: () => Promise<T>): Promise<T> => {
      const list = staffIds.join(',');
      await database.db.execute(sql.raw(`insert into conversations (staff_id, channel, chat_id, flow, step, answers, trail, started_at, updated_at)
        select id, 'telegram', id::text, 'visit', 'kind', '{}', '[]', now(), now() from staff where id in (${list})`));
      try {
        return await run();
      } finally {
        await database.db.execute(sql.raw(`update conversations set status = 'cancelled' where status = 'active' and staff_id in (${list})`));
      }
    };
    const staffOf = new Map(users.map((u) => [u.telegramId, u.staffId]));
    const drive = async (which: Side, subset: number[], conversations: number, thinkMs = 0): Promise<LoadResult> => {
      if (which === 'bare') {
        return withBareState(subset.map((id) => staffOf.get(id)!), () =>
          runLoad({ bot: bare.bot, api: bare.api, telegramIds: subset, conversationsPerUser: conversations, script: bareScript, expectSaved: false, thinkMs }));
      }
      return runLoad({ bot: bot[which].bot, api: bot[which].api, telegramIds: subset, conversationsPerUser: conversations, thinkMs });
    };
    const measured = async (which: Side, subset: number[], conversations: number, thinkMs = 0): Promise<RunFigures> => {
      const stopServer = await serverCpu.start();
      const r = await drive(which, subset, conversations, thinkMs);
      const serverMs = await stopServer();
      const steps = new Map<number, number>();
      for (const s of shownSteps) steps.set(s, percentile(r.byStep.get(s) ?? [], 50));
      return {
        throughput: (r.updates / r.wallMs) * 1000,
        p50: percentile(r.latencies, 50),
        p99: percentile(r.latencies, 99),
        steps,
        botCpuPerUpdate: r.cpuMs / r.updates,
        serverCpuPerUpdate: serverMs === undefined ? undefined : serverMs / r.updates,
      };
    };
    const describe = (f: RunFigures) =>
      `${f.throughput.toFixed(0)}/s, cpu bot ${f.botCpuPerUpdate.toFixed(2)} + pg ${f.serverCpuPerUpdate?.toFixed(2) ?? '?'} ms/update, ` +
      `p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, steps ${shownSteps.map((s) => `${s}: ${f.steps.get(s)!.toFixed(1)}`).join(' ')} ms; load ${load1m()}`;

    // Every user once through every bot before anything is measured: each side's code is compiled by then (ten users
    // were not enough: the first measured run was the slowest of every side, ours most, as a service that has run a
    // while is not).
    log(`warming up (${ids.length} users, ${WARM_UP} conversation(s) each, every bot)`);
    for (const which of sides) await drive(which, ids, WARM_UP);

    const profile = await profileRoundTrips(target.url, profiled, (staffId, run) => withBareState([staffId], run));
    for (const which of sides) {
      const p = profile[which];
      log(`profile ${which}: round trips per update ${p.roundTrips.join(' ')}; statements ${p.statements.join(' ')}; unloaded ms ${p.ms.map((m) => m.toFixed(1)).join(' ')}`);
    }

    const idleRss = process.memoryUsage.rss();
    const saturated: Record<Side, RunFigures[]> = { ours: [], peer: [], bare: [] };
    const think10: Record<Side, RunFigures[]> = { ours: [], peer: [], bare: [] };
    const think100: Record<Side, RunFigures[]> = { ours: [], peer: [], bare: [] };
    const peaks: number[] = [];
    const visitsBefore = await count(database.db, "select count(*) from visits where channel = 'telegram' and ref not like 'ZF-BENCH-%'");
    const tenIds = ids.slice(0, Math.min(10, ids.length));
    const hundredIds = ids.slice(0, Math.min(100, ids.length));
    for (let run = 1; run <= options.runs; run++) {
      // Alternating order, so neither side always runs first (on a warmer cache) or last (on a fuller table).
      const order = run % 2 === 1 ? sides : [...sides].reverse();
      for (const which of order) {
        const sampler = new RssSampler().start();
        const f = await measured(which, ids, options.conversationsPerUser);
        if (which === 'ours') peaks.push(sampler.stop());
        else sampler.stop();
        saturated[which].push(f);
        log(`run ${run}/${options.runs} saturated ${which.padEnd(4)} ${ids.length} users, no think time: ${describe(f)}`);
      }
      for (const which of order) {
        const f = await measured(which, tenIds, 1, options.thinkMs);
        think10[which].push(f);
        log(`run ${run}/${options.runs} think     ${which.padEnd(4)} ${tenIds.length} users, ${options.thinkMs} ms think time: ${describe(f)}`);
      }
      for (const which of order) {
        const f = await measured(which, hundredIds, 1, options.thinkMs);
        think100[which].push(f);
        log(`run ${run}/${options.runs} think     ${which.padEnd(4)} ${hundredIds.length} users, ${options.thinkMs} ms think time: ${describe(f)}`);
      }
    }

    const visitsAfter = await count(database.db, "select count(*) from visits where channel = 'telegram' and ref not like 'ZF-BENCH-%'");
    const dupes = await count(database.db, 'select count(*) from (select ref from visits group by ref having count(*) > 1) d');
    log(`visits written by ours and the peer during the measured runs: ${visitsAfter - visitsBefore}; duplicate refs: ${dupes}`);
    const loadAfter = load1m();

    const med = (set: Record<Side, RunFigures[]>, which: Side, pick: (f: RunFigures) => number | undefined) => {
      const values = set[which].map(pick).filter((v): v is number => v !== undefined);
      return values.length ? median(values) : Number.NaN;
    };
    const runsNote = `median of ${options.runs} run(s), sides in alternating order; load average ${loadBefore} before, ${loadAfter} after`;
    const results: BenchResult[] = [];
    const vsPeer = (name: string, set: Record<Side, RunFigures[]>, pick: (f: RunFigures) => number | undefined, unit: string, lowerIsBetter: boolean, note: string) => {
      const ours = med(set, 'ours', pick);
      const p = med(set, 'peer', pick);
      const floor = med(set, 'bare', pick);
      results.push({ name, value: ours, unit, peer: PEER, peer_value: p, ratio: lowerIsBetter ? p / ours : ours / p, note: `${note}; floor ${floor.toFixed(2)}` });
    };

    const satNote = `${ids.length} users at once, no think time (closed loop) × ${options.conversationsPerUser} conversation(s) × ${visitScript.length} updates; pool ${POOL_SIZE}; ${runsNote}`;
    vsPeer('flow.throughput', saturated, (f) => f.throughput, 'updates/s', false, satNote);
    vsPeer('flow.saturated.p50', saturated, (f) => f.p50, 'ms/update', true, 'latency under saturation (mostly queueing); ratio = peer / ours');
    vsPeer('flow.saturated.p99', saturated, (f) => f.p99, 'ms/update', true, 'latency under saturation (mostly queueing); ratio = peer / ours');
    for (const [label, set, n] of [['think10', think10, tenIds.length], ['think100', think100, hundredIds.length]] as const) {
      const note = `${n} users, ${options.thinkMs} ms think time between answers, 1 conversation each; ${runsNote}`;
      vsPeer(`flow.${label}.p50`, set, (f) => f.p50, 'ms/update', true, `${note}; ratio = peer / ours`);
      vsPeer(`flow.${label}.p99`, set, (f) => f.p99, 'ms/update', true, `${note}; ratio = peer / ours${label === 'think10' ? '; target p99 < 20' : ''}`);
    }
    for (const s of shownSteps) {
      vsPeer(`flow.step${s}.p50`, think10, (f) => f.steps.get(s), 'ms/update', true, `median latency of update ${s} of ${visitScript.length}, ${tenIds.length} users with think time; target: steps 1, 8, 15 within 20 %`);
    }
    vsPeer('flow.cpu_per_update.bot', saturated, (f) => f.botCpuPerUpdate, 'ms CPU/update', true, 'CPU of the bot process per update under saturation; ratio = peer / ours');
    vsPeer('flow.cpu_per_update.postgres', saturated, (f) => f.serverCpuPerUpdate, 'ms CPU/update', true, 'CPU of the PostgreSQL backends serving the bench database per update (/proc), under saturation; ratio = peer / ours');
    vsPeer('flow.cpu_per_update.total', saturated, (f) => (f.serverCpuPerUpdate === undefined ? undefined : f.botCpuPerUpdate + f.serverCpuPerUpdate), 'ms CPU/update', true, 'bot + PostgreSQL; target ≤ 1 ms; ratio = peer / ours');

    const perUpdate = (which: Side, pick: (p: Profile) => number[]) => average(pick(profile[which]));
    results.push({ name: 'flow.round_trips.per_update', value: perUpdate('ours', (p) => p.roundTrips), unit: 'round trips', peer: PEER, peer_value: perUpdate('peer', (p) => p.roundTrips), ratio: perUpdate('peer', (p) => p.roundTrips) / perUpdate('ours', (p) => p.roundTrips), note: `client→server round trips per update (TCP proxy), warm pool of 1, one conversation alone; floor ${perUpdate('bare', (p) => p.roundTrips).toFixed(2)}; ratio = peer / ours` });
    results.push({ name: 'flow.statements.per_update', value: perUpdate('ours', (p) => p.statements), unit: 'statements', peer: PEER, peer_value: perUpdate('peer', (p) => p.statements), ratio: perUpdate('peer', (p) => p.statements) / perUpdate('ours', (p) => p.statements), note: `statements executed per update (incl. begin/commit); floor ${perUpdate('bare', (p) => p.statements).toFixed(2)}; ratio = peer / ours` });
    for (const s of shownSteps) {
      results.push({ name: `flow.step${s}.round_trips`, value: profile.ours.roundTrips[s - 1]!, unit: 'round trips', peer: PEER, peer_value: profile.peer.roundTrips[s - 1]! });
    }
    for (const s of shownSteps) {
      const p = profile.peer.ms[s - 1]!;
      results.push({ name: `flow.step${s}.unloaded`, value: profile.ours.ms[s - 1]!, unit: 'ms/update', peer: PEER, peer_value: p, ratio: p / profile.ours.ms[s - 1]!, note: 'one conversation alone, no other load' });
    }
    const tp = med(saturated, 'ours', (f) => f.throughput);
    const floor = med(saturated, 'bare', (f) => f.throughput);
    results.push({ name: 'limit.fraction', value: tp / floor, unit: 'fraction', peer: 'floor: dedupe + read state + versioned write, one statement, one round trip', peer_value: floor, note: `ours ${tp.toFixed(0)} updates/s over the floor's ${floor.toFixed(0)} updates/s, same load; target ≥ 0.5` });
    results.push({ name: 'limit.floor.p99', value: med(saturated, 'bare', (f) => f.p99), unit: 'ms/update', note: 'the floor\'s own p99 under saturation' });
    results.push({ name: 'limit.floor.think10.p99', value: med(think10, 'bare', (f) => f.p99), unit: 'ms/update', note: `the floor's own p99, ${tenIds.length} users with think time` });
    results.push({ name: 'limit.floor.cpu_per_update', value: med(saturated, 'bare', (f) => (f.serverCpuPerUpdate === undefined ? undefined : f.botCpuPerUpdate + f.serverCpuPerUpdate)), unit: 'ms CPU/update', note: 'bot + PostgreSQL per update for the floor' });
    results.push({ name: 'memory.rss.bench_idle', value: mb(idleRss), unit: 'MB', note: 'the bench process with the three bots loaded, before the measured runs' });
    results.push({ name: 'memory.rss.flow_peak', value: mb(median(peaks)), unit: 'MB', note: 'peak RSS of the bench process during our saturated runs (sampled every 25 ms), median over runs' });
    return { results, database: { kind: 'postgres', version: target.version }, load: { before: loadBefore, after: loadAfter } };
  } catch (error) {
    // Said before the clean-up: dropping the database ends its connections, which can take the process down.
    log(`flow benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    throw error;
  } finally {
    for (const b of bots) await b.close().catch(() => {});
    await serverCpu.close().catch(() => {});
    await database.close().catch(() => {});
    await target.drop();
  }
}

/**
 * One conversation through each side over a pool of one connection behind a counting proxy: a first conversation
 * warms the connection (prepared statements, type cache), the second is counted update by update.
 */
async function profileRoundTrips(
  url: string,
  user: { telegramId: number; staffId: number },
  withBareState: (staffId: number, run: () => Promise<void>) => Promise<void>,
): Promise<Record<Side, Profile>> {
  const counter = new RoundTripCounter(new URL(url));
  const viaProxy = await counter.start();
  const out = {} as Record<Side, Profile>;
  try {
    for (const which of sides) {
      const database = which === 'ours' ? await openDatabase({ databaseUrl: viaProxy, poolSize: 1 }) : undefined;
      const b = which === 'ours' ? await oursBot(viaProxy, database) : which === 'peer' ? await peerBot(viaProxy, new pg.Pool({ connectionString: viaProxy, max: 1 })) : await bareBot(viaProxy, 1);
      try {
        const script = which === 'bare' ? bareScript : visitScript;
        const profile: Profile = { roundTrips: [], statements: [], ms: [] };
        const converse = async (record: boolean) => {
          const tgUser = b.api.user(user.telegramId);
          for (const action of script) {
            const update = 'say' in action ? b.api.text(tgUser, action.say) : b.api.press(tgUser, 'press' in action ? { label: action.press } : { index: action.pressIndex });
            counter.take();
            const t0 = performance.now();
            await b.bot.handleUpdate(update);
            const ms = performance.now() - t0;
            const taken = counter.take();
            if (!record) continue;
            profile.ms.push(ms);
            profile.roundTrips.push(taken.roundTrips);
            profile.statements.push(taken.statements);
          }
        };
        // Two conversations first: the second starts from what the first left (a known user, no draft), so every
        // statement a conversation sends, in every form, is prepared on the connection, as it is under load.
        const both = async () => {
          await converse(false);
          await converse(false);
          await converse(true);
        };
        if (which === 'bare') await withBareState(user.staffId, both);
        else await both();
        out[which] = profile;
      } finally {
        await b.close();
        if (database) await database.close();
      }
    }
  } finally {
    await counter.close();
  }
  return out;
}
