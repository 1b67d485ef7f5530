// What every admin verb gets: the database, the configuration, a clock, the administrator's language, and its
// input/output — the terminal when run locally, the HTTP request and response when the running service executes
// it (src/admin/remote.ts).
import type { Db } from '../db/client.js';
import type { Config } from '../config.js';
import { adminText, type AdminKey } from '../i18n/sections/admin.js';
import type { Locale, Params } from '../i18n/translator.js';

export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  /** Asks the administrator a question and returns the answer; absent when no one can answer (scripts, remote). */
  ask?(question: string): Promise<string>;
}

export interface AdminContext {
  db: Db;
  dbKind: 'pglite' | 'postgres';
  config: Config;
  now(): Date;
  io: AdminIo;
  locale: Locale;
}

/** A text of the CLI in the context's language. */
export const say = (ctx: Pick<AdminContext, 'locale'>, key: AdminKey, params?: Params): string => adminText(ctx.locale, key, params);

/** An error the administrator reads: a catalogue key with its parameters, translated where it is printed. */
abstract class AdminMessageError extends Error {
  constructor(
    readonly key: AdminKey,
    readonly params?: Params,
  ) {
    super(adminText('en', key, params));
  }
  text(locale: Locale): string {
    return adminText(locale, this.key, this.params);
  }
}

/** Wrong use of the CLI (unknown verb or option, missing argument): exit code 2, with the verb's usage. */
export class UsageError extends AdminMessageError {}

/** The command was understood but cannot be done (unknown area, nothing to do…): exit code 1. */
export class AdminError extends AdminMessageError {}

export interface Verb {
  name: string;
  summary: AdminKey;
  /** Full help text: usage line, options, examples. */
  help: AdminKey;
  /** Parameters of the help text (lists that come from the code). */
  helpParams?: (locale: Locale) => Params;
  run(args: string[], ctx: AdminContext): Promise<number>;
}
