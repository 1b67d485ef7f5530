// How an update leaves its drafts: each touched draft is written once, a new one inserted, an existing one updated on
// the version it was read at. The statements are built once from the schema (src/db/statement.ts); sent on their own
// within the update's transaction, or folded into a guarded update's single statement (src/db/updateGuard.ts).
import { sql, type Query, type SQL } from 'drizzle-orm';
import type { Draft } from './inboundRead.js';
import { conversations } from './schema.js';
import { bare, prebuilt } from './statement.js';

/** Another update moved the draft on first: this one is not applied. */
export class ConversationConflict extends Error {}

export interface DraftWrite {
  row: Draft;
  /** The version the draft was read at; undefined for a new draft. */
  readAt: number | undefined;
}

const c = conversations;
/** The write's values are placeholders named `w_…`, apart from the guard's own. */
const w = (name: string) => sql.placeholder(`w_${name}`);

export const insertDraftSql = (): SQL => sql`insert into ${c} (${bare(c.id)}, ${bare(c.staffId)}, ${bare(c.channel)}, ${bare(c.chatId)}, ${bare(c.flow)},
      ${bare(c.step)}, ${bare(c.answers)}, ${bare(c.trail)}, ${bare(c.status)}, ${bare(c.version)}, ${bare(c.startedAt)}, ${bare(c.updatedAt)})
    values (${w('id')}, ${w('staffId')}, ${w('channel')}, ${w('chatId')}, ${w('flow')}, ${w('step')}, ${w('answers')}::jsonb,
      ${w('trail')}::jsonb, ${w('status')}, ${w('version')}, ${w('startedAt')}::timestamptz, ${w('updatedAt')}::timestamptz) returning 1 as written`;

export const updateDraftSql = (): SQL => sql`update ${c} set ${bare(c.step)} = ${w('step')}, ${bare(c.answers)} = ${w('answers')}::jsonb,
      ${bare(c.trail)} = ${w('trail')}::jsonb, ${bare(c.status)} = ${w('status')}, ${bare(c.version)} = ${w('version')},
      ${bare(c.updatedAt)} = ${w('updatedAt')}::timestamptz
    where ${c.id} = ${w('id')} and ${c.version} = ${w('readAt')} and ${c.status} = 'active' returning 1 as written`;

const insertDraft = prebuilt(insertDraftSql);
const updateDraft = prebuilt(updateDraftSql);

/** The write's values, by placeholder name. */
export function draftWriteValues({ row, readAt }: DraftWrite): Record<string, unknown> {
  return {
    w_id: row.id,
    w_staffId: row.staffId,
    w_channel: row.channel,
    w_chatId: row.chatId,
    w_flow: row.flow,
    w_step: row.step,
    w_answers: JSON.stringify(row.answers),
    w_trail: JSON.stringify(row.trail),
    w_status: row.status,
    w_version: row.version,
    w_startedAt: row.startedAt.toISOString(),
    w_updatedAt: row.updatedAt.toISOString(),
    w_readAt: readAt,
  };
}

/** Sends one draft write on its own; an update that finds the draft moved on is a conflict. */
export async function sendDraftWrite(send: (query: Query) => Promise<Record<string, unknown>[]>, write: DraftWrite): Promise<void> {
  const values = draftWriteValues(write);
  const written = await send(write.readAt === undefined ? insertDraft(values) : updateDraft(values));
  if (written.length === 0) throw new ConversationConflict(write.row.id);
}
