// Database handles that count the statements sent, to show where an update's time goes (round trips per step).
import { drizzle } from 'drizzle-orm/postgres-js';
import pg from 'pg';
import postgres from 'postgres';
import type { Database, Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';

export class StatementCounter {
  n = 0;
  take(): number {
    const n = this.n;
    this.n = 0;
    return n;
  }
}

/** Our database API (drizzle on postgres.js, as src/db/client.ts builds it), every statement counted. */
export function countingDatabase(url: string, counter: StatementCounter, poolSize = 4): Database {
  const client = postgres(url, { max: poolSize, onnotice: () => {}, debug: () => void counter.n++ });
  return { db: drizzle(client, { schema }) as unknown as Db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

/** A pg pool whose statements are counted. */
export function countingPool(url: string, counter: StatementCounter, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // pool.query checks a client out too, so counting the clients' queries counts everything once.
  pool.on('acquire', (client) => {
    if (Reflect.get(client, '__counted')) return;
    Reflect.set(client, '__counted', true);
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, { query: (...args: unknown[]) => (counter.n++, clientQuery(...args)) });
  });
  return pool;
}
