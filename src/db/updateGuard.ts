// The first statement of an update computed from what the service last knew of its user (src/bot/knownUsers.ts)
// instead of reading it: it records the update id like the ordinary first statement, locks the draft on the version
// the update was computed from, and checks that nothing else the update relied on has changed since — the person's
// binding, staff row and area (their stamps), the draft's child or the child just chosen from the page the last
// update offered (its stamp, and that the person may still see it).
// Anything changed, or the update id seen before, and `cw_update_guard` raises (SQLSTATE CW409): the transaction,
// everything pipelined after the guard included, rolls back, and the update is done again the ordinary way. Folded,
// the guard carries the update's draft write and its closing write (src/db/closing.ts) in the same statement.
import { sql, type Query } from 'drizzle-orm';
import type { Actor } from './actor.js';
import { scopeBySlots, type ChildListItem, type ChildRow } from './children.js';
import type { Draft, Stamps } from './inboundRead.js';
import { rowStamp } from './rowStamps.js';
import type { Closing, FilledClosing } from './closing.js';
import { areas, channelIdentities, children, conversations, processedInbound, staff, type ChannelName } from './schema.js';
import { draftWriteValues, insertDraftSql, updateDraftSql, type DraftWrite } from './draftWrites.js';
import { bare, byShape, slot } from './statement.js';

/** What the service knew of a user after their last update: enough to compute the next one without reading. */
export interface KnownState {
  actor: Actor;
  draft: Draft | undefined;
  /** The draft's child, read in the actor's scope with its stamp (undefined when the draft has none). */
  child: ChildRow | undefined;
  /**
   * The children the last update offered to choose from (read in scope, whole), while the draft has none; usable
   * until `until` (ms): the rows carry children's personal details, not kept for someone who walked away.
   */
  offered?: { children: ChildListItem[]; until: number };
  stamps: Stamps;
}

export const GUARD_TRIPPED = 'CW409';

/** What the guarded statement writes itself: nothing (the guard alone), or the update's one draft write. */
type Folded = 'nothing' | 'insert' | 'update';

/** The guard's shape; a closing statement folded in after it is named last (empty: none). */
type Shape = `${'draft' | 'none'}:${Actor['role'] | 'none'}:${Folded}:${string}`;

/** The closing statements folded in so far, by name (the guard's text is built once for each). */
const closings = new Map<string, Closing>();

/**
 * The guard's text depends on whether there is a draft, on whose scope the child is checked in, and on the draft write
 * folded into it: built once each. Folded, the statement is the whole update, sent alone in autocommit.
 */
const guardStatement = byShape((shape: Shape) => {
  const [draftShape, role, folded, closingName] = shape.split(':') as ['draft' | 'none', Actor['role'] | 'none', Folded, string];
  const closed = closingName ? closings.get(closingName)!.parts() : undefined;
  const hasDraft = draftShape === 'draft';
  const childScopeRole = role === 'none' ? undefined : role;
  const written = folded === 'insert' ? insertDraftSql() : folded === 'update' ? updateDraftSql() : sql`select 1 where false`;
  // The draft is locked as the ordinary first statement locks it (one person's updates apply one at a time, across
  // instances); a folded update locks it itself, on the same version.
  const draftRow =
    hasDraft && folded !== 'update'
      ? sql`select 1 from ${conversations} where ${conversations.id} = ${slot('draftId')} and ${conversations.version} = ${slot('version')}
            and ${conversations.status} = 'active' for update`
      : sql`select 1 where false`;
  const draftHeld = !hasDraft
    ? sql`not exists (select 1 from ${conversations} where ${conversations.staffId} = ${slot('staffId')} and ${conversations.status} = 'active')`
    : folded === 'update'
      ? sql`exists (select 1 from written)`
      : sql`exists (select 1 from draft)`;
  const childHeld = childScopeRole
    ? sql`exists (select 1 from ${children} where ${children.id} = ${slot('childId')} and ${children}.xmin = ${slot('childStamp')}::xid
          and ${scopeBySlots(childScopeRole, true)})`
    : sql`true`;
  const held = sql`cw_update_guard(
      exists (select 1 from fresh)
      and exists (select 1 from ${channelIdentities} where ${channelIdentities.channel} = ${slot('channel')} and ${channelIdentities.externalId} = ${slot('externalId')}
                  and ${channelIdentities.staffId} = ${slot('staffId')} and ${channelIdentities}.xmin = ${slot('identityStamp')}::xid)
      and exists (select 1 from ${staff} where ${staff.id} = ${slot('staffId')} and ${staff}.xmin = ${slot('staffStamp')}::xid)
      and exists (select 1 from ${areas} where ${areas.code} = ${slot('areaCode')} and ${areas}.xmin = ${slot('areaStamp')}::xid)
      and ${draftHeld}
      and ${childHeld}
    ) as held`;
  const head = sql`with fresh as (
      insert into ${processedInbound} (${bare(processedInbound.key)}, ${bare(processedInbound.at)})
      values (${slot('key')}, ${slot('at')}::timestamptz) on conflict do nothing returning 1
    ), draft as (${draftRow}), written as (${written})`;
  // Folded, the closing statement's rows come back as its own would; the guard is the outer side of a left join, and
  // the join's condition, so it is evaluated even when the closing statement returns no row, whatever the planner.
  return closed
    ? sql`${head}${closed.with ? sql`, ${closed.with}` : sql``} select closed.* from (select ${held}) guard left join lateral (${closed.select}) closed on guard.held`
    : sql`${head} select ${held}`;
});

/** An update computed from known state: its guard, and the guard with the update's draft write folded in. */
export interface GuardedUpdate {
  /** The guard alone, sent with `begin` ahead of the update's first statement. */
  guard(): Query;
  /**
   * The whole update as one statement, when all it writes is at most one draft write of the kind the state allows,
   * and the update's closing write when it has one (src/db/closing.ts).
   */
  folded(writes: DraftWrite[], closing?: FilledClosing): Query | undefined;
  /**
   * Lets the update rely on a child the instance holds unread (one it offered last time), checked by the guard as the
   * draft's child is: only while the guard is not yet sent and checks no other child.
   */
  adopt(child: ChildRow): boolean;
  /** Whether the update's guard and writes went as one statement (its draft write, closing write or none folded in). */
  readonly alone: boolean;
  /** Reads the update sent on their own, ahead of the guard (src/db/statement.ts: standalone). */
  readsAhead: number;
}

export function guardedUpdate(key: string, at: Date, channel: ChannelName, externalId: string, known: KnownState): GuardedUpdate {
  const { actor, draft, stamps } = known;
  let child = known.child;
  let sent = false;
  let alone = false;
  const values = () => {
    const childStamp = child && rowStamp(child);
    return {
      scopeRole: child && childStamp ? actor.role : undefined,
      values: {
        key,
        at: at.toISOString(),
        channel,
        externalId,
        staffId: actor.staffId,
        areaCode: actor.areaCode,
        areaPath: actor.areaPath,
        identityStamp: stamps.identity,
        staffStamp: stamps.staff,
        areaStamp: stamps.area,
        draftId: draft?.id,
        version: draft?.version,
        childId: child?.id,
        childStamp,
      } as Record<string, unknown>,
    };
  };
  const statement = (folded: Folded, extra: Record<string, unknown> = {}, closing?: FilledClosing) => {
    sent = true;
    const { scopeRole, values: given } = values();
    const closingName = closing?.statement.name ?? '';
    if (closing && !closings.has(closingName)) closings.set(closingName, closing.statement);
    return guardStatement(`${draft ? 'draft' : 'none'}:${scopeRole ?? 'none'}:${folded}:${closingName}`)(given, extra, closing?.values ?? {});
  };
  const sentAlone = (query: Query | undefined) => {
    alone = query !== undefined;
    return query;
  };
  return {
    guard: () => statement('nothing'),
    folded(writes, closing) {
      if (writes.length === 0) return sentAlone(statement('nothing', {}, closing));
      const [write] = writes;
      if (writes.length > 1 || !write) return undefined;
      // An update of the draft the state holds, or the first draft of someone who had none.
      const kind: Folded | undefined = write.readAt === undefined ? (draft ? undefined : 'insert') : write.row.id === draft?.id && write.readAt === draft.version ? 'update' : undefined;
      return sentAlone(kind && statement(kind, draftWriteValues(write), closing));
    },
    get alone() {
      return alone;
    },
    readsAhead: 0,
    adopt(row) {
      if (sent || child || rowStamp(row) === undefined) return false;
      child = row;
      return true;
    },
  };
}
