// The scheduler: one cron tick a minute (in TZ_NAME) that runs whatever is due — report escalation, overdue-visit
// escalation, the reminders and digests when their cron expressions match, draft expiry, pruning — and the
// outbox sender's loop. Every run is claimed in job_runs, so N instances do each piece of work once. Jobs take
// the clock as a parameter: tests call tick(now) and sender.runOnce() and never wait.
import { createTask, schedule, type ScheduledTask } from 'node-cron';
import type { ChannelRuntime } from '../bot/channel.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ChannelName } from '../db/schema.js';
import { expireStaleDrafts } from '../flows/drafts.js';
import type { Logger } from '../logger.js';
import { queueDigests } from './digest.js';
import { pruneProcessedInbound, pruneSchedulerTables } from './housekeeping.js';
import { runOnce } from './jobs.js';
import { queueReminders, REMINDER_JOB, refreshReminder } from './reminders.js';
import { escalateReports } from './reports.js';
import { OutboxSender, type SenderOptions } from './sender.js';
import { localDate } from './time.js';
import { escalateOverdueVisits } from './visitEscalation.js';

export { OutboxSender } from './sender.js';
export { registerSchedulerActions, schedulerActions } from './actions.js';

export interface SchedulerDeps {
  db: Db;
  config: Config;
  logger: Logger;
  channels: Map<ChannelName, ChannelRuntime>;
  clock: () => Date;
  /** Overrides for the sender (tests: pacing limits, batch size). */
  sender?: Partial<Omit<SenderOptions, 'db' | 'config' | 'logger' | 'channels' | 'clock'>>;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  tick(now?: Date): Promise<void>;
  sender: OutboxSender;
}

/** A daily job missed by a restart still runs if the service is back within this window. */
const CATCH_UP_MINUTES = 30;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, config, logger, clock } = deps;
  const tz = config.TZ_NAME;
  const matcher = (expression: string, what: string): ScheduledTask => {
    try {
      return createTask(expression, () => {}, { timezone: tz });
    } catch (error) {
      throw new Error(`${what}: invalid cron expression "${expression}"`, { cause: error });
    }
  };
  const reminderCron = matcher(config.REMINDER_CRON, 'REMINDER_CRON');
  const digestCron = matcher(config.DIGEST_CRON, 'DIGEST_CRON');
  const sender = new OutboxSender({
    db,
    config,
    logger,
    channels: deps.channels,
    clock,
    prepare: { reminder: (conn, row, now) => refreshReminder(conn, config, row, now) },
    ...deps.sender,
  });

  /** The most recent minute within the catch-up window at which `task` fired today, if any. */
  const firedToday = (task: ScheduledTask, now: Date): boolean => {
    const today = localDate(now, tz);
    const minute = Math.floor(now.getTime() / 60_000) * 60_000;
    for (let i = 0; i <= CATCH_UP_MINUTES; i++) {
      const at = new Date(minute - i * 60_000);
      if (localDate(at, tz) !== today) return false;
      if (task.match(at)) return true;
    }
    return false;
  };

  const job = async (name: string, key: string, now: Date, work: () => Promise<unknown>) => {
    try {
      let result: unknown;
      const ran = await runOnce(db, name, key, now, async () => {
        result = await work();
      });
      if (ran) logger.debug({ job: name, key, result }, 'scheduled job done');
    } catch (error) {
      logger.error({ err: error, job: name, key }, 'scheduled job failed');
    }
  };

  let ticking: Promise<void> | null = null;
  const tick = async (at?: Date): Promise<void> => {
    if (ticking) return ticking;
    const now = at ?? clock();
    const today = localDate(now, tz);
    const minuteKey = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
    ticking = (async () => {
      await job('report-escalation', minuteKey, now, () => escalateReports(db, config, now));
      await job('visit-escalation', today, now, () => escalateOverdueVisits(db, config, now));
      if (firedToday(digestCron, now)) await job('digest', today, now, () => queueDigests(db, config, now, logger));
      if (firedToday(reminderCron, now)) await job(REMINDER_JOB, today, now, () => queueReminders(db, config, now));
      await job('draft-expiry', minuteKey, now, () => expireStaleDrafts(db, now, config));
      await job('prune-inbound', minuteKey.slice(0, 13), now, () => pruneProcessedInbound(db, now));
      await job('prune-scheduler', today, now, () => pruneSchedulerTables(db, now, tz));
    })();
    try {
      await ticking;
    } finally {
      ticking = null;
    }
  };

  let cron: ScheduledTask | null = null;
  return {
    sender,
    tick,
    start() {
      if (cron) return;
      cron = schedule('* * * * *', () => tick(), { timezone: tz, noOverlap: true, name: 'scheduler-tick' });
      void tick();
      sender.start();
    },
    async stop() {
      await cron?.destroy();
      cron = null;
      await reminderCron.destroy();
      await digestCron.destroy();
      await ticking;
      await sender.stop();
    },
  };
}
