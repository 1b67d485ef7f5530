// Every conversation of the transcript suite, through Telegram: real core, real database (PGlite, and PostgreSQL
// with TEST_DATABASE_URL), the real grammY Bot against the fake Bot API server — webhook mode with every update
// delivered twice, and long polling for one transcript.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { databaseTargets } from '../support/db.js';
import { loadTranscript, runTranscript } from '../support/transcript.js';
import { demoWorld, TestClock } from '../support/world.js';
import { TelegramDriver } from './driver.js';
import { startRig, type Mode, type TelegramRig } from './harness.js';
import { testCore } from '../support/core.js';

/**
 * The adapter does not depend on the kind of database, and the core's transcripts already run on both: here the
 * real server when TEST_DATABASE_URL is set (closest to production), else PGlite — which keeps the suite fast.
 */
const oneTarget = () => databaseTargets().slice(-1);

const dir = fileURLToPath(new URL('../transcripts/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.chat')).sort();
const roundTrips: number[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe.each(oneTarget())('Telegram transcripts on $name', (target) => {
  let database: Database | undefined;
  let rig: TelegramRig | undefined;
  afterEach(async () => {
    await rig?.close();
    await database?.close();
    rig = undefined;
    database = undefined;
  });
  afterAll(() => {
    if (roundTrips.length === 0) return;
    const sorted = [...roundTrips].sort((a, b) => a - b);
    console.log(
      `telegram webhook round trip on ${target.name}: n=${sorted.length} median=${percentile(sorted, 50).toFixed(1)}ms p95=${percentile(sorted, 95).toFixed(1)}ms`,
    );
    roundTrips.length = 0;
  });

  async function run(file: string, mode: Mode) {
    database = await target.open();
    const world = await demoWorld(database.db);
    const clock = new TestClock();
    const core = testCore(database.db, { clock: clock.now });
    rig = await startRig({ mode, core, db: database.db });
    const driver = new TelegramDriver(rig, world, database.db, clock.now);
    await runTranscript(loadTranscript(dir + file), driver, database.db, clock);
    if (mode === 'webhook') roundTrips.push(...driver.roundTripsMs);
  }

  it.each(files)('%s (webhook, each update delivered twice)', (file) => run(file, 'webhook'));

  it('visit-routine.chat over long polling', () => run('visit-routine.chat', 'polling'));
});
