// The visit policy table (category × risk level → days between visits); defaults come with the migrations.
import { sql } from 'drizzle-orm';
import type { PolicyRow } from '../domain/visitPolicy.js';
import type { Conn } from './client.js';
import { visitPolicy } from './schema.js';

/** Instances cache the policy (policyCache.ts); a change tells them on this channel, at its commit. */
export const POLICY_CHANNEL = 'visit_policy';

export async function loadPolicy(conn: Conn): Promise<PolicyRow[]> {
  return conn.select().from(visitPolicy);
}

export async function setPolicy(conn: Conn, row: PolicyRow): Promise<void> {
  await conn
    .insert(visitPolicy)
    .values(row)
    .onConflictDoUpdate({ target: [visitPolicy.category, visitPolicy.riskLevel], set: { intervalDays: row.intervalDays } });
  await conn.execute(sql`select pg_notify(${POLICY_CHANNEL}, '')`);
}
