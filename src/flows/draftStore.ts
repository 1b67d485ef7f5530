// The actor's draft during one inbound update. The row came with the update's state (read and locked by its first
// statement, or known from the update before and checked by its guard); each save bumps the version in memory (the
// buttons asked next carry it), and the final state of every draft touched is written once at the end
// (src/db/draftWrites.ts): a new draft is inserted once (never inserted and then updated), and an existing one updated
// once, on the version it was read at.
import { randomUUID } from 'node:crypto';
import { ConversationConflict, type DraftWrite } from '../db/draftWrites.js';
import type { Draft } from '../db/inboundRead.js';

export type DraftChange = Partial<Pick<Draft, 'step' | 'answers' | 'trail' | 'status'>>;

export class DraftStore {
  private current: Draft | undefined;
  /** Every draft touched, by id: its latest state and the version it was read at (undefined: new). */
  private readonly touched = new Map<string, { row: Draft; readAt: number | undefined }>();

  constructor(
    private readonly now: Date,
    loaded: Draft | undefined,
  ) {
    this.current = loaded;
    if (loaded) this.touched.set(loaded.id, { row: loaded, readAt: loaded.version });
  }

  /** The actor's active draft as it stands in this update. */
  active(): Draft | undefined {
    return this.current?.status === 'active' ? this.current : undefined;
  }

  create(values: Pick<Draft, 'staffId' | 'channel' | 'chatId' | 'flow' | 'step' | 'answers' | 'trail'>): Draft {
    const row: Draft = { ...values, id: randomUUID(), status: 'active', version: 1, startedAt: this.now, updatedAt: this.now };
    this.touched.set(row.id, { row, readAt: undefined });
    this.current = row;
    return row;
  }

  save(conv: Draft, change: DraftChange): Draft {
    const entry = this.touched.get(conv.id);
    if (!entry || entry.row.version !== conv.version) throw new ConversationConflict(conv.id);
    const row: Draft = { ...entry.row, ...change, version: conv.version + 1, updatedAt: this.now };
    entry.row = row;
    if (this.current?.id === row.id) this.current = row;
    return row;
  }

  /** What to write: every draft touched, once, drafts leaving `active` first, so a new active draft never meets the old one. */
  writes(): DraftWrite[] {
    const entries = [...this.touched.values()].filter((e) => e.readAt === undefined || e.row.version !== e.readAt);
    return entries.sort((a, b) => Number(a.readAt === undefined) - Number(b.readAt === undefined));
  }
}
