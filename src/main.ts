// Entry point: `npm start`. Closes cleanly on SIGINT/SIGTERM (PGlite must be closed, never killed mid-write).
// app.js (the bot, its flows, the scheduler) is imported once the database is opening: PGlite's start (reading and
// compiling its WebAssembly, booting PostgreSQL) and loading those modules take a few hundred milliseconds each, and
// overlap where one waits on the disk or a compiler thread.
import type { App } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { configuredDatabase, openDatabase } from './db/client.js';
import { DataDirBusyError } from './db/dataDirLock.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let app: App;
  try {
    const database = openDatabase(configuredDatabase(config));
    // startApp awaits it and reports its failure; until then, a rejection is not an unhandled one.
    database.catch(() => {});
    const { startApp } = await import('./app.js').catch(async (error: unknown) => {
      await database.then((opened) => opened.close(), () => {}); // never leave PGlite open mid-migration
      throw error;
    });
    app = await startApp(config, { logger, database });
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const channels = [...app.channels.keys()].join(', ') || 'none';
  const where = app.database.kind === 'pglite' ? `embedded PostgreSQL in ${config.DATA_DIR}` : 'PostgreSQL';
  logger.info(`caseworker bot running on ${where}${app.seeded ? ' (demo county seeded)' : ''}; channels: ${channels}`);
  const address = `${config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost}:${app.port}`;
  logger.info(`http: listening on ${address}`);
  if (app.channels.has('local')) {
    logger.info(`local chat: http://${address}/${config.LOCAL_CHAT_ORIGIN ? ` (through the TLS proxy: ${config.LOCAL_CHAT_ORIGIN})` : ''}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
