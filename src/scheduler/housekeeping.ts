// Keeping tables from growing without bound. Inbound ids older than the platforms' longest redelivery window
// (Feishu retries for up to ~6 h; we keep 48 h) can no longer come back. Job claims (one a minute for the report
// escalation) matter only around their own run. The reminder log is needed for the day it guards; a month is
// kept to answer "was this child's caseworker reminded?".
import { lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobRuns, processedInbound, reminderLog } from '../db/schema.js';
import { addDays, localDate } from './time.js';

export const INBOUND_RETENTION_MS = 48 * 3_600_000;
const JOB_RUN_RETENTION_MS = 7 * 86_400_000;
const REMINDER_LOG_DAYS = 31;

export async function pruneProcessedInbound(db: Db, now: Date): Promise<number> {
  const gone = await db
    .delete(processedInbound)
    .where(lt(processedInbound.at, new Date(now.getTime() - INBOUND_RETENTION_MS)))
    .returning({ key: processedInbound.key });
  return gone.length;
}

export async function pruneSchedulerTables(db: Db, now: Date, tz: string): Promise<{ jobRuns: number; reminderLog: number }> {
  const runs = await db
    .delete(jobRuns)
    .where(lt(jobRuns.startedAt, new Date(now.getTime() - JOB_RUN_RETENTION_MS)))
    .returning({ job: jobRuns.job });
  const reminders = await db
    .delete(reminderLog)
    .where(lt(reminderLog.day, addDays(localDate(now, tz), -REMINDER_LOG_DAYS)))
    .returning({ childId: reminderLog.childId });
  return { jobRuns: runs.length, reminderLog: reminders.length };
}
