// `npm run admin -- <command>`: opens the database (never a data directory another process holds: then the
// running service carries out the command) and runs one admin command.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { writePrivateFile } from '../privateFiles.js';
import type { Database } from '../db/client.js';
import { DataDirBusyError, dataDirHolder } from '../db/dataDirLock.js';
import type { AdminIo } from './context.js';
import { EXIT_FAILED, EXIT_USAGE } from './exitCodes.js';
import { findVerb, helpFor } from './run.js';

const terminal: AdminIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  readFile: (path) => readFile(resolve(path)),
  // Exports carry full ID numbers and phones: written for the administrator's eyes only.
  writeFile: async (path, data) => writePrivateFile(path, data),
};

async function main(argv: string[]): Promise<number> {
  const help = helpFor(argv);
  if (help !== undefined) {
    terminal.out(help);
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  if (!findVerb(argv[0])) {
    terminal.err(`Unknown command "${argv[0]}". See: npm run admin -- --help`);
    return EXIT_USAGE;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      terminal.err(error.message);
      return EXIT_FAILED;
    }
    throw error;
  }
  // The database drivers and the commands' libraries load only now: --help stays quick.
  const { openDatabase } = await import('../db/client.js');
  const { runRemote } = await import('./remote.js');
  const { runAdmin } = await import('./run.js');
  let database: Database;
  if (config.DATABASE_URL) database = await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: 2 });
  else {
    const holder = dataDirHolder(config.DATA_DIR);
    if (holder !== undefined) return runRemote(argv, { dataDir: config.DATA_DIR, holderPid: holder });
    try {
      database = await openDatabase({ dataDir: config.DATA_DIR });
      if (database.repairedModes) terminal.err(`${config.DATA_DIR} was readable or writable by others: repaired to 0700/0600 (${database.repairedModes} entries).`);
    } catch (error) {
      // The service started between the check and the open.
      if (error instanceof DataDirBusyError) return runRemote(argv, { dataDir: config.DATA_DIR, holderPid: error.pid });
      throw error;
    }
  }
  try {
    return await runAdmin(argv, { db: database.db, dbKind: database.kind, config, now: () => new Date(), io: terminal });
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`admin: ${(error as Error).message}\n`);
    process.exitCode = EXIT_FAILED;
  },
);
