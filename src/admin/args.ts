// node's util.parseArgs with the CLI's error handling: a bad option is a UsageError (exit 2) with a clear message.
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
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function positiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = z.coerce.number().int().positive().safeParse(value.normalize('NFKC'));
  if (!parsed.success) throw new UsageError(`${what} must be a positive whole number, got "${value}"`);
  return parsed.data;
}

export function requiredOption(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`missing --${option}`);
  return value.trim();
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${option} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

export function isoDate(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.normalize('NFKC').trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== m[0]) throw new UsageError(`--${option} must be a date like 2026-01-31; got "${value}"`);
  return m[0];
}
