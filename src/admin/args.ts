// node's util.parseArgs with the CLI's error handling: a bad option is a UsageError (exit 2) with a clear message
// in the administrator's language.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './context.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;
type OptionValues<O extends OptionSpec> = { [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean };

export function parseVerbArgs<const O extends OptionSpec>(args: string[], options: O): { values: OptionValues<O>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues<O>, positionals: parsed.positionals };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError('usage.needsValue', { option });
    throw new UsageError('usage.unknownOption', { option });
  }
}

export function noExtra(extra: string[]): void {
  if (extra.length > 0) throw new UsageError('usage.unexpected', { arg: extra[0]! });
}

export function positiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = z.coerce.number().int().positive().safeParse(value.normalize('NFKC'));
  if (!parsed.success) throw new UsageError('usage.positiveInt', { what, value });
  return parsed.data;
}

/** A whole number written as one, or undefined for anything else (a name). */
export function asId(value: string): number | undefined {
  const text = value.normalize('NFKC').trim();
  return /^\d{1,9}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

export function requiredOption(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError('usage.missing', { option });
  return value.trim();
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError('usage.oneOf', { option, allowed: allowed.join(', '), value });
  return value as T;
}

export function isoDate(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.normalize('NFKC').trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== m[0]) throw new UsageError('usage.date', { option, value });
  return m[0];
}

export function isoMonth(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value.normalize('NFKC').trim());
  if (!m) throw new UsageError('usage.month', { option, value });
  return m[0];
}
