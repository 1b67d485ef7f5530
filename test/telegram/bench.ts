// Telegram figures: the webhook round trip of a /help update (Telegram's POST until the service answers, the reply
// sent to the fake Bot API server in between) through the real core on a throwaway PostgreSQL database, and the
// throughput of deliver() against the fake server. Run: `npx tsx test/telegram/bench.ts` (BENCH_QUICK=1 for a
// smoke run); `runTelegramBench` can be called from bench/run.ts.
import { fileURLToPath } from 'node:url';
import { message } from '../../src/bot/message.js';
import { BotCore } from '../../src/bot/core.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { createLogger } from '../../src/logger.js';
import { createThrowawayDatabase } from '../../bench/lib/pg.js';
import type { BenchResult } from '../../bench/lib/result.js';
import { demoWorld, TestClock } from '../support/world.js';
import { TelegramDriver } from './driver.js';
import { startRig } from './harness.js';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runTelegramBench(options: { quick?: boolean; log?: (line: string) => void } = {}): Promise<BenchResult[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const helps = options.quick ? 100 : 500;
  const deliveries = options.quick ? 500 : 3000;
  const results: BenchResult[] = [];

  const throwaway = await createThrowawayDatabase('cw_bench_tg');
  const database = await openDatabase({ databaseUrl: throwaway.url });
  try {
    const world = await demoWorld(database.db);
    const clock = new TestClock();
    // The per-user limiter would answer "too fast" to a benchmark typing 500 messages a second.
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows(), clock: clock.now, rateLimit: { burst: 1e9, perSecond: 1e9 } });
    const rig = await startRig({ mode: 'webhook', core, db: database.db });
    try {
      const driver = new TelegramDriver(rig, world, database.db, clock.now, { redeliver: false });
      const user = await driver.user('李主任');
      const times: number[] = [];
      for (let i = 0; i < helps + 20; i++) {
        const update = rig.fake.text(user, '/help');
        const started = performance.now();
        const status = await rig.fake.post(update);
        const ms = performance.now() - started;
        if (status !== 200) throw new Error(`webhook answered ${status}`);
        if (i >= 20) times.push(ms);
      }
      const sorted = times.sort((a, b) => a - b);
      log(`telegram /help webhook round trip: n=${sorted.length} median=${percentile(sorted, 50).toFixed(2)}ms p95=${percentile(sorted, 95).toFixed(2)}ms`);
      const note = `${sorted.length} sequential /help updates, real core on a throwaway PostgreSQL database, fake Bot API on loopback in the same process`;
      results.push({ name: 'telegram webhook round trip /help, median', value: percentile(sorted, 50), unit: 'ms', note });
      results.push({ name: 'telegram webhook round trip /help, p95', value: percentile(sorted, 95), unit: 'ms', note });

      const chats = Array.from({ length: 200 }, (_, i) => rig.fake.user(9_000_000 + i, `W${i}`).id);
      const text = message('提醒：胡婷 走访已逾期43天。', [[{ label: '记录走访', data: 'v.start.1' }, { label: '推迟', data: 'rm.snooze.1' }]]);
      for (const concurrency of [1, 16]) {
        let next = 0;
        let failed = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < deliveries) {
              const i = next++;
              const result = await rig.channel.deliver(String(chats[i % chats.length]), text, `bench-${i}`);
              if (!result.ok) failed++;
            }
          }),
        );
        const perSecond = deliveries / ((performance.now() - started) / 1000);
        if (failed > 0) throw new Error(`${failed} deliveries failed`);
        log(`telegram deliver(): ${perSecond.toFixed(0)} messages/s at concurrency ${concurrency}`);
        results.push({
          name: `telegram deliver() throughput, concurrency ${concurrency}`,
          value: perSecond,
          unit: 'msg/s',
          note: `${deliveries} messages with a keyboard to 200 chats, fake Bot API on loopback, no rate limit (Telegram allows ~30/s)`,
        });
      }
    } finally {
      await rig.close();
    }
  } finally {
    await database.close();
    await throwaway.drop();
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runTelegramBench({ quick: process.env.BENCH_QUICK === '1' }).then(
    (results) => {
      console.table(results.map((r) => ({ name: r.name, value: Math.round(r.value * 100) / 100, unit: r.unit })));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
