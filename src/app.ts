// Composition root: config → database → migrations → demo seed → core → channels → scheduler → HTTP.
import type { Logger } from 'pino';
import { adminSocketPath, registerAdminRoute } from './admin/remote.js';
import type { ChannelRuntime } from './bot/channel.js';
import { BotCore } from './bot/core.js';
import { createLocalChannel } from './bot/local/adapter.js';
import type { Config } from './config.js';
import { configuredDatabase, openDatabase, pingDatabase, type Database } from './db/client.js';
import type { ChannelName } from './db/schema.js';
import { seedDemo } from './db/seed.js';
import { registerApprovalActions } from './flows/register.js';
import { defaultFlows } from './flows/registry.js';
import { registerReportButtons } from './flows/reportButtons.js';
import { channelUp } from './http/health.js';
import { HttpServer, json, SocketInUse } from './http/server.js';
import { makePrivateDir } from './privateFiles.js';
import { createScheduler, registerSchedulerActions, type Scheduler } from './scheduler/index.js';

/** How long after the port opens the scheduler starts, on PGlite. */
const SCHEDULER_START_DELAY_MS = 1000;

export interface App {
  config: Config;
  database: Database;
  core: BotCore;
  http: HttpServer;
  /** The admin server: POST /admin/run and GET /admin/health on the Unix socket `adminSocket`. */
  admin: HttpServer;
  adminSocket: string;
  channels: Map<ChannelName, ChannelRuntime>;
  scheduler: Scheduler;
  port: number;
  seeded: boolean;
  stop(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  clock?: () => Date;
  /** Tests drive the scheduler by hand (scheduler.tick / sender.runOnce) instead of its timers. */
  startScheduler?: boolean;
  /** Per-user flood limit; tests that click faster than a person can lift it. */
  rateLimit?: { burst: number; perSecond: number };
  /** The configured database, already opening: main.ts starts it while this module's imports load. */
  database?: Promise<Database>;
}

export async function startApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const database = await (options.database ?? openDatabase(configuredDatabase(config)));
  // What to close on the way out, in order, each named for the shutdown log.
  const stops: [string, () => Promise<void>][] = [[`database (${database.kind})`, () => database.close()]];
  if (database.repairedModes) {
    logger.warn({ dataDir: config.DATA_DIR, entries: database.repairedModes }, 'data directory was readable or writable by others: repaired to 0700/0600');
  }
  try {
    const { db } = database;
    const seed = config.SEED_DEMO ?? !config.DATABASE_URL;
    const seeded = seed ? await seedDemo(db, clock(), config.TZ_NAME) : false;

    const core = new BotCore({ db, config, logger, flows: defaultFlows(), clock, rateLimit: options.rateLimit });
    registerSchedulerActions(core, config);
    registerApprovalActions(core);
    registerReportButtons(core);
    const http = new HttpServer(logger);
    const admin = new HttpServer(logger);
    // The admin socket lives in DATA_DIR. With PGlite the directory's lock makes it this process's alone; on
    // PostgreSQL several instances may share a directory: the first to bind serves it, the others run without one.
    const adminSocket = adminSocketPath(config.DATA_DIR);
    makePrivateDir(config.DATA_DIR);
    let adminServed = true;
    try {
      await admin.listenOnSocket(adminSocket);
      stops.unshift(['admin socket', () => admin.close()]);
    } catch (error) {
      if (database.kind === 'pglite' || !(error instanceof SocketInUse)) throw error;
      adminServed = false;
      logger.warn({ socket: adminSocket }, 'another instance serves the admin socket in DATA_DIR: this one serves none');
    }
    const requireToken = adminServed ? registerAdminRoute(admin, { db, dbKind: database.kind, config, logger, now: clock }).requireToken : undefined;
    const channels = new Map<ChannelName, ChannelRuntime>();
    if (config.localChat) channels.set('local', createLocalChannel({ core, http, db, config, clock }));
    // Loaded only when configured: the Lark SDK alone is about 80 MB and a second of start-up.
    if (config.telegramEnabled) channels.set('telegram', (await import('./bot/telegram/index.js')).createTelegramChannel({ config, core, http, logger, db }));
    if (config.feishuEnabled) channels.set('feishu', (await import('./bot/feishu/index.js')).createFeishuChannel({ config, core, http, logger, db }));

    // Anyone who reaches the port learns up or down per channel; the details (a platform's last error text, the
    // bot's name, reconnect counts) are for whoever holds the admin token on this machine.
    const health = async (detailed: boolean) => {
      const dbUp = await pingDatabase(db);
      const channelHealth = Object.fromEntries(
        [...channels].map(([name, channel]) => [name, detailed ? channel.health() : channelUp(channel.health()) ? 'up' : 'down']),
      );
      return json(dbUp ? 200 : 503, { status: dbUp ? 'ok' : 'degraded', db: database.kind, channels: channelHealth });
    };
    http.route('GET', '/healthz', () => health(false));
    if (requireToken) {
      admin.route('GET', '/admin/health', (req) => {
        requireToken(req);
        return health(true);
      });
    }

    for (const [name, channel] of channels) {
      await channel.start();
      stops.unshift([`channel ${name}`, () => channel.stop()]);
    }
    const port = await http.listen(config.PORT, config.listenHost);
    stops.unshift([`http :${port}`, () => http.close()]);
    const scheduler = createScheduler({ db, config, logger, channels, clock });
    if (options.startScheduler ?? true) {
      // PGlite runs one statement at a time: the scheduler's catch-up run and the outbox's first pass wait a moment,
      // so the first requests after a restart (a health check, a caseworker's message) do not queue behind them.
      // A second is well inside the catch-up window and the outbox's own poll interval.
      const timer = database.kind === 'pglite' ? setTimeout(() => scheduler.start(), SCHEDULER_START_DELAY_MS) : undefined;
      if (!timer) scheduler.start();
      stops.unshift([
        'scheduler',
        () => {
          clearTimeout(timer);
          return scheduler.stop();
        },
      ]);
    }

    return {
      config,
      database,
      core,
      http,
      admin,
      adminSocket,
      channels,
      scheduler,
      port,
      seeded,
      async stop() {
        for (const [what, stop] of stops) {
          const started = Date.now();
          try {
            await stop();
            logger.info({ ms: Date.now() - started }, `closed ${what}`);
          } catch (error) {
            logger.warn({ err: error }, `error while closing ${what}`);
          }
        }
      },
    };
  } catch (error) {
    for (const [, stop] of stops) await stop().catch(() => {});
    throw error;
  }
}
