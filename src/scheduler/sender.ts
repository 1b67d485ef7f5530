// The outbox sender: claims due rows (FOR UPDATE SKIP LOCKED, holding them by a lease on not_before), delivers
// them through the running channels within each platform's limits, and records the outcome. Retries back off
// exponentially with jitter; a permanent error or too many tries marks a row dead. One bad row never holds up
// the others: every row is settled on its own, and a busy chat only delays its own messages.
import { and, asc, desc, eq, gt, inArray, isNotNull, lte } from 'drizzle-orm';
import type { ChannelRuntime, DeliveryResult } from '../bot/channel.js';
import type { OutMessage } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { conversations, outbox, type ChannelName } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { Pacer, type Ticket } from './pacer.js';
import { parseQuietHours, quietUntil } from './quietHours.js';

export type OutboxRow = typeof outbox.$inferSelect;

/** What to do with a row just before sending it, decided from the database as it is now. */
export type Prepared =
  | { action: 'send'; message: OutMessage }
  | { action: 'cancel'; reason: string }
  | { action: 'postpone'; until: Date };

export type PrepareHook = (db: Db, row: OutboxRow, now: Date) => Promise<Prepared>;

export interface SenderOptions {
  db: Db;
  config: Config;
  logger: Logger;
  channels: Map<ChannelName, ChannelRuntime>;
  clock: () => Date;
  /** Per-kind checks at send time (a reminder re-reads who is still due). */
  prepare?: Record<string, PrepareHook>;
  pacer?: Pacer;
  batchSize?: number;
  /** How long a claimed row stays ours before another sender may take it (a crash mid-send). */
  leaseMs?: number;
  /** Deliveries in flight at once, across channels. */
  concurrency?: number;
  pollMs?: number;
  /** A row waiting longer than this for its chat's or platform's window goes back to the table. */
  maxHoldMs?: number;
}

export interface SendReport {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  cancelled: number;
  postponed: number;
}

/** Kinds that wait while the recipient is in the middle of a conversation. */
const politeKinds = new Set(['reminder', 'digest']);
/** A conversation touched within this window is "in progress"; an abandoned one does not block reminders. */
const FLOW_IN_PROGRESS_MS = 20 * 60_000;
const FLOW_POSTPONE_MS = 5 * 60_000;
/** A row that edits a message still on its way tries again this much later. */
const EDIT_WAIT_MS = 2_000;

export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.5 + random() * 0.5));
}

export class OutboxSender {
  private readonly pacer: Pacer;
  private readonly quiet;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly o: SenderOptions) {
    this.pacer = o.pacer ?? new Pacer();
    this.quiet = parseQuietHours(o.config.QUIET_HOURS);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pause = this.o.pollMs ?? 2000;
      try {
        const r = await this.runOnce();
        if (r.claimed > 0) pause = 0;
      } catch (error) {
        this.o.logger.error({ err: error }, 'outbox sender pass failed');
        pause = 5000;
      }
      if (pause > 0 && this.running) await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** One pass: expire, defer for quiet hours, claim a batch, send it. */
  async runOnce(): Promise<SendReport> {
    const report: SendReport = { claimed: 0, sent: 0, retried: 0, dead: 0, cancelled: 0, postponed: 0 };
    const { db } = this.o;
    const now = this.o.clock();
    const live = [...this.o.channels.keys()];
    report.cancelled += (
      await db
        .update(outbox)
        .set({ status: 'cancelled', lastError: 'expired before it could be sent' })
        .where(and(eq(outbox.status, 'pending'), isNotNull(outbox.expiresAt), lte(outbox.expiresAt, now)))
        .returning({ id: outbox.id })
    ).length;
    const quietEnd = quietUntil(this.quiet, now, this.o.config.TZ_NAME);
    if (quietEnd) {
      await db
        .update(outbox)
        .set({ notBefore: quietEnd })
        .where(and(eq(outbox.status, 'pending'), eq(outbox.urgent, false), lte(outbox.notBefore, now)));
    }
    if (live.length === 0) return report;
    const rows = await this.claim(now, live);
    report.claimed = rows.length;
    if (rows.length === 0) return report;
    await this.sendBatch(rows, report);
    return report;
  }

  private async claim(now: Date, live: ChannelName[]): Promise<OutboxRow[]> {
    const { db } = this.o;
    const due = db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), lte(outbox.notBefore, now), inArray(outbox.channel, live)))
      .orderBy(desc(outbox.urgent), asc(outbox.notBefore), asc(outbox.id))
      .limit(this.o.batchSize ?? 100)
      .for('update', { skipLocked: true });
    const rows = await db
      .update(outbox)
      .set({ notBefore: new Date(now.getTime() + (this.o.leaseMs ?? 120_000)) })
      .where(and(inArray(outbox.id, due), eq(outbox.status, 'pending')))
      .returning();
    return rows.sort((a, b) => Number(b.urgent) - Number(a.urgent) || a.id - b.id);
  }

  private async sendBatch(claimed: OutboxRow[], report: SendReport): Promise<void> {
    const ready = await this.prepareAll(claimed, report);
    const queue = ready.slice();
    const inflight = new Set<Promise<void>>();
    const concurrency = this.o.concurrency ?? 8;
    const maxHold = this.o.maxHoldMs ?? 2000;
    while (queue.length > 0 || inflight.size > 0) {
      if (!this.running && this.loop !== null) {
        // Stopping: what is not yet handed to a platform goes back to the table at once.
        await this.release(queue.splice(0).map((q) => q.row), this.o.clock());
      }
      let wait = Infinity;
      let started = false;
      if (inflight.size < concurrency) {
        for (let i = 0; i < queue.length; i++) {
          const item = queue[i]!;
          const { wait: w, ticket } = this.pacer.tryTake(item.row.channel, item.row.chatId);
          if (ticket) {
            queue.splice(i, 1);
            const p = this.deliverOne(item.row, item.message, report, ticket).finally(() => inflight.delete(p));
            inflight.add(p);
            started = true;
            break;
          }
          if (w > maxHold) {
            queue.splice(i, 1);
            i--;
            await this.release([item.row], new Date(this.o.clock().getTime() + w));
            continue;
          }
          wait = Math.min(wait, w);
        }
      }
      if (started) continue;
      if (queue.length === 0 && inflight.size === 0) break;
      const sleeps: Promise<unknown>[] = [...inflight];
      if (queue.length > 0 && inflight.size < concurrency) sleeps.push(sleep(Math.min(wait, 50)));
      await Promise.race(sleeps);
    }
  }

  private async prepareAll(rows: OutboxRow[], report: SendReport): Promise<{ row: OutboxRow; message: OutMessage }[]> {
    const { db } = this.o;
    const now = this.o.clock();
    const politeStaff = [...new Set(rows.filter((r) => politeKinds.has(r.kind) && r.staffId !== null).map((r) => r.staffId!))];
    const busy = new Set<number>();
    if (politeStaff.length > 0) {
      const active = await db
        .select({ staffId: conversations.staffId })
        .from(conversations)
        .where(
          and(
            eq(conversations.status, 'active'),
            inArray(conversations.staffId, politeStaff),
            gt(conversations.updatedAt, new Date(now.getTime() - FLOW_IN_PROGRESS_MS)),
          ),
        );
      for (const a of active) busy.add(a.staffId);
    }
    const ready: { row: OutboxRow; message: OutMessage }[] = [];
    for (const row of rows) {
      try {
        let prepared: Prepared = { action: 'send', message: row.payload as unknown as OutMessage };
        if (row.staffId !== null && busy.has(row.staffId) && politeKinds.has(row.kind)) {
          prepared = { action: 'postpone', until: new Date(now.getTime() + FLOW_POSTPONE_MS) };
        } else {
          const hook = this.o.prepare?.[row.kind];
          if (hook) prepared = await hook(db, row, now);
        }
        if (prepared.action === 'send') ready.push({ row, message: prepared.message });
        else if (prepared.action === 'cancel') {
          await db.update(outbox).set({ status: 'cancelled', lastError: prepared.reason }).where(eq(outbox.id, row.id));
          report.cancelled++;
        } else {
          await this.release([row], prepared.until);
          report.postponed++;
        }
      } catch (error) {
        await this.settle(row, { ok: false, permanent: false, error: `prepare failed: ${errorText(error)}` }, report);
      }
    }
    return ready;
  }

  private async deliverOne(row: OutboxRow, message: OutMessage, report: SendReport, ticket: Ticket): Promise<void> {
    const channel = this.o.channels.get(row.channel);
    let result: DeliveryResult;
    if (!channel) {
      ticket.done();
      await this.release([row], this.o.clock());
      return;
    }
    try {
      const target = row.replacesId === null ? undefined : await this.editTarget(row.replacesId);
      if (target === 'wait') {
        await this.release([row], new Date(this.o.clock().getTime() + EDIT_WAIT_MS));
        report.postponed++;
        return;
      }
      result = target && channel.edit ? await this.editOrSend(channel, row, target, message) : await channel.deliver(row.chatId, message, String(row.id));
    } catch (error) {
      result = { ok: false, permanent: false, error: errorText(error) };
    } finally {
      ticket.done();
    }
    try {
      await this.settle(row, result, report);
    } catch (error) {
      // The lease brings the row back; a delivered one may then go twice, which the idempotency key absorbs.
      this.o.logger.error({ err: error, outboxId: row.id }, 'could not record an outbox delivery');
    }
  }

  /**
   * The message a replacing row edits: its platform id once the replaced row is delivered; 'wait' while that one is
   * still on its way (edited once it is out); undefined when it never went out — then this one is simply sent.
   */
  private async editTarget(replacesId: number): Promise<string | 'wait' | undefined> {
    const [replaced] = await this.o.db.select({ status: outbox.status, messageId: outbox.messageId }).from(outbox).where(eq(outbox.id, replacesId));
    if (replaced?.status === 'pending') return 'wait';
    return replaced?.status === 'sent' ? (replaced.messageId ?? undefined) : undefined;
  }

  /**
   * Edits the earlier message in place. Where the channel cannot (too old, gone, not editable), or the edit still
   * fails on the row's last try, the message goes out as a new one — it names the same reference, so the recipient
   * reads it as the update. A rate limit or a passing failure before then is retried like any delivery.
   */
  private async editOrSend(channel: ChannelRuntime, row: OutboxRow, messageId: string, message: OutMessage): Promise<DeliveryResult> {
    const edited = await channel.edit!(row.chatId, messageId, message);
    if (edited.ok || edited.retryAfterMs !== undefined) return edited;
    if (!edited.cannotEdit && row.attempts + 1 < this.o.config.OUTBOX_MAX_ATTEMPTS) return edited;
    this.o.logger.info({ outboxId: row.id, error: edited.error }, 'could not edit the earlier message: sending the update as a new one');
    return channel.deliver(row.chatId, message, String(row.id));
  }

  private async settle(row: OutboxRow, result: DeliveryResult, report: SendReport): Promise<void> {
    const { db, config } = this.o;
    const now = this.o.clock();
    if (result.ok) {
      this.pacer.delivered(row.channel);
      await db
        .update(outbox)
        .set({ status: 'sent', sentAt: now, attempts: row.attempts + 1, lastError: null, messageId: result.messageId ?? null })
        .where(eq(outbox.id, row.id));
      report.sent++;
      return;
    }
    const error = result.error.slice(0, 500);
    if (result.retryAfterMs !== undefined && !result.permanent) {
      // Flow control, not a failure: honour the platform's wait, and do not spend one of the row's tries.
      this.pacer.block(row.channel, result.retryAfterMs);
      await db
        .update(outbox)
        .set({ notBefore: new Date(now.getTime() + result.retryAfterMs), lastError: error })
        .where(eq(outbox.id, row.id));
      report.retried++;
      return;
    }
    const attempts = row.attempts + 1;
    if (result.permanent || attempts >= config.OUTBOX_MAX_ATTEMPTS) {
      await db.update(outbox).set({ status: 'dead', attempts, lastError: error }).where(eq(outbox.id, row.id));
      this.o.logger.warn({ outboxId: row.id, kind: row.kind, channel: row.channel, attempts, error }, 'outbox message dead');
      report.dead++;
      return;
    }
    await db
      .update(outbox)
      .set({ attempts, lastError: error, notBefore: new Date(now.getTime() + backoffMs(attempts)) })
      .where(eq(outbox.id, row.id));
    report.retried++;
  }

  private async release(rows: OutboxRow[], at: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.o.db
      .update(outbox)
      .set({ notBefore: at })
      .where(and(inArray(outbox.id, rows.map((r) => r.id)), eq(outbox.status, 'pending')));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
