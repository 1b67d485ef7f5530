// Claiming a job run in the database: every instance's tick may fire, the first to insert (job, run_key) does
// the work. A run that failed is deleted so the next tick retries it; one that died silently (process killed)
// may be taken over once it is stale.
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobRuns } from '../db/schema.js';

const STALE_MS = 15 * 60_000;

export async function claimRun(db: Db, job: string, runKey: string, now: Date): Promise<boolean> {
  const won = await db
    .insert(jobRuns)
    .values({ job, runKey, startedAt: now })
    .onConflictDoUpdate({
      target: [jobRuns.job, jobRuns.runKey],
      set: { startedAt: now },
      setWhere: and(isNull(jobRuns.finishedAt), lt(jobRuns.startedAt, new Date(now.getTime() - STALE_MS))),
    })
    .returning({ job: jobRuns.job });
  return won.length > 0;
}

/** Runs `work` once per (job, runKey) across all instances; returns whether this instance did it. */
export async function runOnce(db: Db, job: string, runKey: string, now: Date, work: () => Promise<unknown>): Promise<boolean> {
  if (!(await claimRun(db, job, runKey, now))) return false;
  try {
    await work();
  } catch (error) {
    await db.delete(jobRuns).where(and(eq(jobRuns.job, job), eq(jobRuns.runKey, runKey), isNull(jobRuns.finishedAt)));
    throw error;
  }
  await db
    .update(jobRuns)
    .set({ finishedAt: now })
    .where(and(eq(jobRuns.job, job), eq(jobRuns.runKey, runKey)));
  return true;
}
