// `npm run -s admin -- <command>`: opens the database (never a data directory another process holds: then the
// running service carries out the command) and runs one admin command.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { writePrivateFile } from '../privateFiles.js';
import type { Database } from '../db/client.js';
import { DataDirBusyError, dataDirHolder } from '../db/dataDirLock.js';
import { securityText } from '../i18n/sections/security.js';
import { resolveLocale } from '../i18n/translator.js';
import type { AdminIo } from './context.js';
import { EXIT_FAILED, EXIT_USAGE } from './exitCodes.js';
import { findVerb, helpFor, splitLanguage, unknownCommand } from './run.js';

const terminal: AdminIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  readFile: (path) => readFile(resolve(path)),
  // Exports carry full ID numbers and phones: written for the administrator's eyes only.
  writeFile: async (path, data) => writePrivateFile(path, data),
  // A pick-list is answered only by a person at a terminal; a script gets the list and exit code 1.
  ...(process.stdin.isTTY && process.stderr.isTTY
    ? {
        ask: async (question: string) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        },
      }
    : {}),
};

async function main(argv: string[]): Promise<number> {
  // Help needs no valid configuration: the language comes from --lang or DEFAULT_LOCALE as written.
  const split = splitLanguage(argv, resolveLocale(process.env.DEFAULT_LOCALE, 'zh-CN'));
  if ('error' in split) {
    terminal.err(split.error);
    return EXIT_USAGE;
  }
  const help = helpFor(split.argv, split.locale);
  if (help !== undefined) {
    terminal.out(help);
    return split.argv.length === 0 ? EXIT_USAGE : 0;
  }
  if (!findVerb(split.argv[0])) {
    terminal.err(unknownCommand(split.locale, split.argv[0]!));
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
    if (holder !== undefined) return runRemote(argv, { dataDir: config.DATA_DIR, holderPid: holder, locale: split.locale });
    try {
      database = await openDatabase({ dataDir: config.DATA_DIR });
      if (database.repairedModes) terminal.err(securityText(split.locale, 'dataDir.repaired', { dir: config.DATA_DIR, count: database.repairedModes }));
    } catch (error) {
      // The service started between the check and the open.
      if (error instanceof DataDirBusyError) return runRemote(argv, { dataDir: config.DATA_DIR, holderPid: error.pid, locale: split.locale });
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
