// The statement that closes an update: its last write or read, after which the update sends nothing more and changes
// no draft (a flow's commit, once the form is saved as done; the caseload page of the question a turn ends with).
// Sent on its own, or — in an update computed from known state that has sent nothing yet — folded behind the guard
// and the draft write into ONE statement (src/db/updateGuard.ts): the guard refusing then takes the closing statement
// back with everything else.
import { sql, type Query, type SQL } from 'drizzle-orm';
import { prebuilt } from './statement.js';

/**
 * A closing statement as WITH items (none for a read) and a final select, its values in slots named by
 * {@link closingSlot}.
 */
export interface Closing {
  /** Names the statement's shape: the guard folds each one in once. */
  readonly name: string;
  readonly parts: () => ClosingParts;
  /** The statement on its own, filled in. */
  readonly alone: (values: Record<string, unknown>) => Query;
  /** It only reads (the reply's caseload page): on its own, it may go ahead of the guard (src/db/statement.ts). */
  readonly readOnly: boolean;
}

export interface ClosingParts {
  with?: SQL;
  select: SQL;
}

/** A closing statement (a write or a read) with its values, by the names its slots were given. */
export interface FilledClosing {
  statement: Closing;
  values: Record<string, unknown>;
}

/** Sends an update's closing statement: folded with the guard where the update allows, else on its own. */
export type SendClosing = (closing: FilledClosing) => Promise<Record<string, unknown>[]>;

const PREFIX = 'c_';

/** A closing statement's slot: named apart from the guard's own, so the two can be filled in from one set of values. */
export const closingSlot = (name: string) => sql.placeholder(`${PREFIX}${name}`);

/** The closing statement's values under its slots' names. */
export function closingValues(values: Record<string, unknown>): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  for (const key in values) named[`${PREFIX}${key}`] = values[key];
  return named;
}

export function closing(name: string, parts: () => ClosingParts, readOnly = false): Closing {
  return {
    name,
    parts,
    readOnly,
    alone: prebuilt(() => {
      const p = parts();
      return p.with ? sql`with ${p.with} ${p.select}` : p.select;
    }),
  };
}
