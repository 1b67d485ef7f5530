// Runs one admin command (argv without the program name) against a context; used by the terminal CLI and by
// the running service's POST /admin/run. Returns the exit code; never throws for a user error. Everything it
// prints is in the administrator's language: `--lang` anywhere in the command, else DEFAULT_LOCALE.
import { adminText } from '../i18n/sections/admin.js';
import { ReasonError, rosterText } from '../i18n/sections/roster.js';
import type { Locale } from '../i18n/translator.js';
import { AdminError, UsageError, say, type AdminContext, type Verb } from './context.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exitCodes.js';
import { areasVerb } from './verbs/areas.js';
import { auditVerb } from './verbs/audit.js';
import { exportVerb } from './verbs/export.js';
import { importRosterVerb } from './verbs/importRoster.js';
import { inviteVerb } from './verbs/invite.js';
import { policyVerb } from './verbs/policy.js';
import { staffVerb } from './verbs/staff.js';

export const verbs: Verb[] = [areasVerb, inviteVerb, importRosterVerb, exportVerb, staffVerb, auditVerb, policyVerb];

/** Takes `--lang <x>` / `--lang=<x>` out of the command: it belongs to every verb. */
export function splitLanguage(argv: string[], fallback: Locale): { argv: string[]; locale: Locale } | { error: string } {
  const rest: string[] = [];
  let locale = fallback;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--lang' ? argv[++i] : arg.startsWith('--lang=') ? arg.slice('--lang='.length) : undefined;
    if (value === undefined && arg !== '--lang') {
      rest.push(arg);
      continue;
    }
    if (value !== 'zh-CN' && value !== 'en') return { error: adminText(fallback, 'usage.lang') };
    locale = value;
  }
  return { argv: rest, locale };
}

export function generalHelp(locale: Locale): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  const commands = verbs.map((v) => `  ${v.name.padEnd(width)}  ${adminText(locale, v.summary)}`).join('\n');
  return adminText(locale, 'cli.help', { commands });
}

/** A request for help that needs no database: no arguments, `help`, `--help`, or `<verb> --help`. */
export function helpFor(argv: string[], locale: Locale): string | undefined {
  const [first, ...rest] = argv;
  const verbHelp = (verb: Verb) => adminText(locale, verb.help, verb.helpParams?.(locale));
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const verb = verbs.find((v) => v.name === rest[0]);
    return verb ? verbHelp(verb) : generalHelp(locale);
  }
  const verb = verbs.find((v) => v.name === first);
  if (verb && rest.some((a) => a === '--help' || a === '-h')) return verbHelp(verb);
  return undefined;
}

export function findVerb(name: string | undefined): Verb | undefined {
  return verbs.find((v) => v.name === name);
}

export const unknownCommand = (locale: Locale, name: string) =>
  adminText(locale, 'cli.unknownCommand', { name, commands: verbs.map((v) => v.name).join(', ') });

/** `argv` may still carry `--lang`; the context's locale is the fallback. */
export async function runAdmin(fullArgv: string[], base: Omit<AdminContext, 'locale'> & { locale?: Locale }): Promise<number> {
  const fallback = base.locale ?? base.config.DEFAULT_LOCALE;
  const split = splitLanguage(fullArgv, fallback);
  if ('error' in split) {
    base.io.err(split.error);
    return EXIT_USAGE;
  }
  const { argv, locale } = split;
  const ctx: AdminContext = { ...base, locale };
  const help = helpFor(argv, locale);
  if (help !== undefined) {
    ctx.io.out(help);
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  const [name, ...args] = argv;
  const verb = findVerb(name);
  if (!verb) {
    ctx.io.err(unknownCommand(locale, name!));
    return EXIT_USAGE;
  }
  try {
    return await verb.run(args, ctx);
  } catch (error) {
    return reportFailure(verb, error, ctx);
  }
}

function reportFailure(verb: Verb, error: unknown, ctx: AdminContext): number {
  const { io } = ctx;
  if (error instanceof UsageError) {
    io.err(say(ctx, 'cli.error', { verb: verb.name, message: error.text(ctx.locale) }));
    io.err(say(ctx, 'cli.seeHelp', { verb: verb.name }));
    return EXIT_USAGE;
  }
  if (error instanceof AdminError) {
    io.err(say(ctx, 'cli.error', { verb: verb.name, message: error.text(ctx.locale) }));
    return EXIT_FAILED;
  }
  if (error instanceof ReasonError) {
    io.err(say(ctx, 'cli.error', { verb: verb.name, message: rosterText(ctx.locale, error.reason.key, error.reason.params) }));
    return EXIT_FAILED;
  }
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') {
    io.err(say(ctx, 'cli.error', { verb: verb.name, message: say(ctx, 'io.noFile', { path: path ?? (error as Error).message }) }));
    return EXIT_FAILED;
  }
  if (code === 'EACCES' || code === 'EISDIR') {
    io.err(say(ctx, 'cli.error', { verb: verb.name, message: say(ctx, 'io.cannotRead', { path: path ?? '', message: code }) }));
    return EXIT_FAILED;
  }
  io.err(say(ctx, 'cli.failed', { verb: verb.name, message: databaseMessage(error) }));
  return EXIT_FAILED;
}

/**
 * drizzle wraps a database error in one whose message is the whole query with its parameters — thousands of
 * lines, with ID and phone numbers: the administrator gets the database's own message instead.
 */
function databaseMessage(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const text = cause instanceof Error ? cause.message : (error as Error).message;
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
