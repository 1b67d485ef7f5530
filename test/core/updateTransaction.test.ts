// One inbound update's pipelined transaction on real PostgreSQL: writes sent with the commit commit with it (or fail
// it), and a write that reaches the driver only after the commit was issued is refused: it would otherwise run after
// the commit, outside the transaction.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { processedInbound } from '../../src/db/schema.js';
import { closing, closingSlot, closingValues, type FilledClosing } from '../../src/db/closing.js';
import { GuardTripped, inGuardedUpdateTransaction, inUpdateTransaction } from '../../src/db/updateTransaction.js';
import { openServerDatabase, serverUrl } from '../support/db.js';

const record = (key: string) => sql`insert into ${processedInbound} (key, at) values (${key}, now()) returning key`;
const recorded = async (database: Database, key: string) => (await database.db.select().from(processedInbound).where(eq(processedInbound.key, key))).length;

describe.runIf(serverUrl)('the update transaction (real PostgreSQL)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openServerDatabase({ poolSize: 2 });
  });
  afterAll(() => database.close());

  it('commits the writes sent with the commit together with the first statement', async () => {
    const key = `tx-test:${Date.now()}:ok`;
    await inUpdateTransaction(database.db, record(key), async ({ tx, later }) => {
      later(() => tx.insert(processedInbound).values({ key: `${key}:later`, at: new Date() }).execute());
    });
    expect(await recorded(database, key)).toBe(1);
    expect(await recorded(database, `${key}:later`)).toBe(1);
  });

  it('sends a write that reaches the driver through promise chains (an awaited query builder) before the commit', async () => {
    const key = `tx-test:${Date.now()}:chained`;
    await inUpdateTransaction(database.db, record(key), async ({ tx, later }) => {
      later(async () => {
        await Promise.resolve();
        await tx.insert(processedInbound).values({ key: `${key}:later`, at: new Date() });
      });
      // Had it run after the commit (autocommit), this second insert of the same key would not fail the update.
      later(async () => {
        await Promise.resolve();
        await tx.insert(processedInbound).values({ key: `${key}:later`, at: new Date() });
      });
    }).catch(() => {});
    expect(await recorded(database, key)).toBe(0);
    expect(await recorded(database, `${key}:later`)).toBe(0);
  });

  it('refuses a write that reaches the driver only after the commit was issued, so it never runs outside the transaction', async () => {
    const key = `tx-test:${Date.now()}:late`;
    const late = inUpdateTransaction(database.db, record(key), async ({ tx, later }) => {
      later(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.insert(processedInbound).values({ key: `${key}:later`, at: new Date() });
      });
    });
    const error = await late.then(() => undefined, (e: unknown) => e as Error & { cause?: Error });
    expect(`${error?.message} ${error?.cause?.message}`).toMatch(/after its commit was issued/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await recorded(database, `${key}:later`)).toBe(0);
  });

  // The guarded form sends `begin` and the guard only with the step's first statement, or with its writes and the commit.
  const guard = (key: string, holds: boolean) => ({ guard: () => guardQuery(key, holds), folded: () => undefined, adopt: () => false, alone: false, readsAhead: 0 });
  const guardQuery = (key: string, holds: boolean) => ({
    sql: `with fresh as (insert into processed_inbound (key, at) values ($1, now()) returning 1) select cw_update_guard($2::boolean and exists (select 1 from fresh)), txid_current()::text as tx`,
    params: [key, holds],
  });

  it('sends the step’s first statement after begin and the guard, in the same transaction', async () => {
    const key = `tx-test:${Date.now()}:guarded`;
    const [row] = (await inGuardedUpdateTransaction(database.db, guard(key, true), async ({ tx }) => tx.execute(sql`select txid_current()::text as tx`))) as unknown as { tx: string }[];
    // The transaction that recorded the update id: had the step's statement run ahead of `begin`, it would have been
    // a transaction of its own.
    const [recorded] = await database.db.select({ tx: sql<string>`xmin::text` }).from(processedInbound).where(eq(processedInbound.key, key));
    expect(row!.tx).toBe(recorded!.tx);
  });

  it('rolls back the writes sent with the guard when the guard refuses, and says so', async () => {
    const key = `tx-test:${Date.now()}:refused`;
    const outcome = await inGuardedUpdateTransaction(database.db, guard(key, false), async ({ tx, later }) => {
      later(() => tx.insert(processedInbound).values({ key: `${key}:later`, at: new Date() }).execute());
    }).then(() => 'committed', (e: unknown) => e);
    expect(outcome).toBeInstanceOf(GuardTripped);
    expect(await recorded(database, key)).toBe(0);
    expect(await recorded(database, `${key}:later`)).toBe(0);
  });

  // A closing write (src/db/closing.ts) folded with the guard: here the guard records the update id and the closing
  // write records a second key, as one autocommit statement.
  const closingKey = closing('test-closing', () => ({
    with: sql`noted as (insert into processed_inbound (key, at) values (${closingSlot('key')}, now()) returning key)`,
    select: sql`select key, current_setting('statement_timeout') as timeout from noted`,
  }));
  const foldingGuard = (key: string, holds: boolean) => ({
    ...guard(key, holds),
    folded: (_writes: unknown[], closed?: FilledClosing) => {
      if (!closed) return undefined;
      const alone = closed.statement.alone(closed.values);
      return {
        sql: `with fresh as (insert into processed_inbound (key, at) values ($1, now()) returning 1), ${alone.sql.replace(/^with /, '').replace(/\$1/g, '$3').replace(/ select key, current_setting.*$/, '')}
          select closed.* from (select cw_update_guard($2::boolean and exists (select 1 from fresh)) as held) guard
          left join lateral (select key, current_setting('statement_timeout') as timeout from noted) closed on guard.held`,
        params: [key, holds, ...alone.params],
      };
    },
  });
  const writer = async (key: string) => (await database.db.select({ tx: sql<string>`xmin::text` }).from(processedInbound).where(eq(processedInbound.key, key)))[0]?.tx;

  it('sends a closing write with the guard as one statement, committed with the update id', async () => {
    const key = `tx-test:${Date.now()}:closing`;
    const rows = await inGuardedUpdateTransaction(database.db, foldingGuard(key, true), async ({ close }) => close({ statement: closingKey, values: closingValues({ key: `${key}:closed` }) }));
    // Bounded on the server as every round trip of an update is: it is cancelled rather than committed late.
    expect(rows).toEqual([{ key: `${key}:closed`, timeout: '15s' }]);
    expect(await writer(key)).toBeDefined();
    expect(await writer(`${key}:closed`)).toBe(await writer(key));
  });

  it('rolls a closing write back with the guard that refused it, and says so', async () => {
    const key = `tx-test:${Date.now()}:closing-refused`;
    const outcome = await inGuardedUpdateTransaction(database.db, foldingGuard(key, false), async ({ close }) => close({ statement: closingKey, values: closingValues({ key: `${key}:closed` }) })).then(
      () => 'committed',
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(GuardTripped);
    expect(await recorded(database, key)).toBe(0);
    expect(await recorded(database, `${key}:closed`)).toBe(0);
  });

  it('refuses a statement after a committed closing write, and does not have the update done again', async () => {
    const key = `tx-test:${Date.now()}:after-closing`;
    const outcome = await inGuardedUpdateTransaction(database.db, foldingGuard(key, true), async ({ tx, close }) => {
      await close({ statement: closingKey, values: closingValues({ key: `${key}:closed` }) });
      await tx.insert(processedInbound).values({ key: `${key}:after`, at: new Date() });
    }).then(() => 'committed', (e: unknown) => e as Error);
    // Not a GuardTripped: the update's effects are committed, and doing it again would find it a duplicate.
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(GuardTripped);
    expect(`${(outcome as Error).message} ${((outcome as Error).cause as Error | undefined)?.message}`).toMatch(/nothing may follow a closing write/);
    expect(await recorded(database, `${key}:closed`)).toBe(1);
    expect(await recorded(database, `${key}:after`)).toBe(0);
  });
});
