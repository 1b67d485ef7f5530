// Runs one admin command (argv without the program name) against a context; used by the terminal CLI and by
// the running service's POST /admin/run. Returns the exit code; never throws for a user error.
import { AdminError, UsageError, type AdminContext, type AdminIo, type Verb } from './context.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exitCodes.js';
import { areasVerb } from './verbs/areas.js';
import { auditVerb } from './verbs/audit.js';
import { exportVerb } from './verbs/export.js';
import { importRosterVerb } from './verbs/importRoster.js';
import { inviteVerb } from './verbs/invite.js';
import { policyVerb } from './verbs/policy.js';
import { staffVerb } from './verbs/staff.js';

export const verbs: Verb[] = [areasVerb, inviteVerb, importRosterVerb, exportVerb, staffVerb, auditVerb, policyVerb];

export function generalHelp(): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return `Administration of the caseworker bot (管理命令).

Usage: npm run admin -- <command> [options]      (npm run admin -- <command> --help for details)

Commands:
${verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join('\n')}

A first deployment: areas import → invite (supervisors, caseworkers) → import-roster → import-roster --apply.
With DATABASE_URL set the commands use that PostgreSQL; otherwise the embedded database in DATA_DIR (./data) —
and while the service is running they are carried out by the service itself.

Exit codes: 0 done, 1 failed (nothing written), 2 wrong usage, 3 done but some rows were rejected.`;
}

/** A request for help that needs no database: no arguments, `help`, `--help`, or `<verb> --help`. */
export function helpFor(argv: string[]): string | undefined {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const verb = verbs.find((v) => v.name === rest[0]);
    return verb ? verb.help : generalHelp();
  }
  const verb = verbs.find((v) => v.name === first);
  if (verb && rest.some((a) => a === '--help' || a === '-h')) return verb.help;
  return undefined;
}

export function findVerb(name: string | undefined): Verb | undefined {
  return verbs.find((v) => v.name === name);
}

export async function runAdmin(argv: string[], ctx: AdminContext): Promise<number> {
  const help = helpFor(argv);
  if (help !== undefined) {
    ctx.io.out(help);
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  const [name, ...args] = argv;
  const verb = findVerb(name);
  if (!verb) {
    ctx.io.err(`Unknown command "${name}". Commands: ${verbs.map((v) => v.name).join(', ')}. See: npm run admin -- --help`);
    return EXIT_USAGE;
  }
  return runVerb(verb, args, ctx.io, () => verb.run(args, ctx));
}

async function runVerb(verb: Verb, _args: string[], io: AdminIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${verb.name}: ${error.message}`);
      io.err(`See: npm run admin -- ${verb.name} --help`);
      return EXIT_USAGE;
    }
    if (error instanceof AdminError) {
      io.err(`${verb.name}: ${error.message}`);
      return EXIT_FAILED;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      io.err(`${verb.name}: ${(error as Error).message}`);
      return EXIT_FAILED;
    }
    io.err(`${verb.name} failed: ${databaseMessage(error)}`);
    return EXIT_FAILED;
  }
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
