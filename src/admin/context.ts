// What every admin verb gets: the database, the configuration, a clock, and its input/output — the terminal
// when run locally, the HTTP request and response when the running service executes it (src/admin/remote.ts).
import type { Db } from '../db/client.js';
import type { Config } from '../config.js';

export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
}

export interface AdminContext {
  db: Db;
  dbKind: 'pglite' | 'postgres';
  config: Config;
  now(): Date;
  io: AdminIo;
}

/** Wrong use of the CLI (unknown verb or option, missing argument): exit code 2, with the verb's usage. */
export class UsageError extends Error {}

/** The command was understood but cannot be done (unknown area, nothing to do…): exit code 1. */
export class AdminError extends Error {}

export interface Verb {
  name: string;
  summary: string;
  /** Full help text: usage line, options, examples. */
  help: string;
  run(args: string[], ctx: AdminContext): Promise<number>;
}
