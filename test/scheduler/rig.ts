// A suite's county, set up the same way for every scheduler and report suite: the target's database opened once and
// emptied before each test; with `useCounty`, the small county of fixture.ts seeded again, a clock, a recording local
// channel (plus any others named) and a scheduler over them, stopped after each test.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Logger } from 'pino';
import type { Database } from '../../src/db/client.js';
import type { ChannelName } from '../../src/db/schema.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/index.js';
import type { DatabaseTargetCase } from '../support/db.js';
import { channelsOf, Clock, logger, MONDAY_9, RecordingChannel, resetDatabase, seedWorld, testConfig, type World } from './fixture.js';

/** Opens the target's database for the suite and empties it before each test. */
export function useDatabase(target: DatabaseTargetCase, ready: (database: Database) => unknown): void {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await resetDatabase(database!.db);
    await ready(database!);
  });
}

export interface CountyOptions {
  /** The clock's start (default: Monday 2026-11-23 09:00 in Shanghai). */
  at?: Date;
  /** Settings for the scheduler's config (e.g. DIGEST_CHARTS: '0'). */
  env?: Record<string, string>;
  /** Channels recorded besides `local`. */
  also?: Exclude<ChannelName, 'local'>[];
}

export interface County {
  database: Database;
  world: World;
  clock: Clock;
  local: RecordingChannel;
  /** Every recording channel by name, `local` included. */
  channels: Map<ChannelName, RecordingChannel>;
  scheduler: Scheduler;
  /** Stops the scheduler and starts another over the same channels with other settings; the rig stops it later. */
  reschedule(env?: Record<string, string>, log?: Logger): Promise<Scheduler>;
}

/** The seeded county with a scheduler, fresh for each test; `ready` receives it after each set-up. */
export function useCounty(target: DatabaseTargetCase, options: CountyOptions, ready: (county: County) => unknown): void {
  let current: Scheduler | undefined;
  useDatabase(target, async (database) => {
    const world = await seedWorld(database.db);
    const clock = new Clock(options.at ?? MONDAY_9);
    const recording = [new RecordingChannel('local'), ...(options.also ?? []).map((name) => new RecordingChannel(name))];
    const start = (env: Record<string, string> = options.env ?? {}, log: Logger = logger) =>
      (current = createScheduler({ db: database.db, config: testConfig(env), logger: log, channels: channelsOf(...recording), clock: clock.now }));
    const county: County = {
      database,
      world,
      clock,
      local: recording[0]!,
      channels: new Map(recording.map((c) => [c.name, c])),
      scheduler: start(),
      async reschedule(env, log) {
        await current?.stop();
        county.scheduler = start(env, log);
        return county.scheduler;
      },
    };
    await ready(county);
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
}
