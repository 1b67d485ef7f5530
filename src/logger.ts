// pino, with personal data kept out: phone and ID numbers are redacted by field name, and errors go through a
// serializer that never writes a database query's text or parameters (a failed insert carries a guardian's phone and
// a child's ID number in both; drizzle puts them in its error message, the drivers in `detail`, `params`, `query`).
import { createRequire } from 'node:module';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type pinoPretty from 'pino-pretty';

const redactedKeys = ['phone', 'guardianPhone', 'idNumber', 'id_number', 'guardian_phone', 'text', 'inviteCode', 'token', 'secret'];

/** The fields of a PostgreSQL error that name what failed without repeating the data (PGlite's and postgres.js's names). */
const databaseFields = {
  code: ['code'],
  constraint: ['constraint', 'constraint_name'],
  table: ['table', 'table_name'],
  column: ['column', 'column_name'],
  schema: ['schema', 'schema_name'],
  severity: ['severity'],
  routine: ['routine'],
} as const;

type Loose = Error & Record<string, unknown>;

function causes(error: Loose): Loose[] {
  const chain: Loose[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 10; e = (e as Loose).cause) chain.push(e as Loose);
  return chain;
}

const isDatabaseError = (e: Loose) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
const carriesQuery = (e: Loose) => 'query' in e || 'params' in e || 'parameters' in e || e.message.startsWith('Failed query');

/** Only the stack's frames: its first lines repeat the message, which is what must not be written. */
const framesOf = (stack: unknown) =>
  typeof stack === 'string' ? stack.split('\n').filter((line) => line.startsWith('    at ')).join('\n') : undefined;

/**
 * A database error (or anything caused by one) becomes its code, constraint, table, column and severity, and the
 * frames of the outermost stack. PostgreSQL's own message may quote a value (`invalid input syntax … "13800138000"`),
 * so it is not kept either: the SQLSTATE code says the same to whoever reads the log.
 */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const chain = causes(value as Loose);
  if (!chain.some((e) => isDatabaseError(e) || carriesQuery(e))) return stdSerializers.err(value);
  const database = chain.find(isDatabaseError);
  const out: Record<string, unknown> = { type: value.constructor.name, message: 'database query failed' };
  if (database) {
    for (const [field, names] of Object.entries(databaseFields)) {
      const found = names.map((n) => database[n]).find((v) => typeof v === 'string' && v !== '');
      if (found !== undefined) out[field] = found;
    }
  }
  out.stack = framesOf(value.stack);
  return out;
}

export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: { err: serializeError, error: serializeError },
    redact: {
      // A top-level `code` may be an invite code; a nested one is an error's SQLSTATE, which the log must keep.
      paths: ['code', ...redactedKeys, ...redactedKeys.map((k) => `*.${k}`)],
      censor: '[redacted]',
    },
  };
  return pino(options, destination ?? (process.stdout.isTTY ? readable() : undefined));
}

/** On a terminal, a line a person reads (time, level, message, fields); elsewhere (files, journald, pipes) JSON. */
function readable(): DestinationStream {
  // Required here, not imported at the top: a service writing JSON (the usual case) never needs its 30 modules.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof pinoPretty;
  return pretty({ colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname', sync: true });
}

export type { Logger };
