// One inbound update's pipelined transaction on real PostgreSQL: writes sent with the commit commit with it (or fail
// it), and a write that reaches the driver only after the commit was issued is refused: it would otherwise run after
// the commit, outside the transaction.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { processedInbound } from '../../src/db/schema.js';
import { inUpdateTransaction } from '../../src/db/updateTransaction.js';
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
});
