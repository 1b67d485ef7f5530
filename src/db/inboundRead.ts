// The first statement of every inbound update: records its id (a redelivery finds it taken and stops there), and
// only when the update is new, loads the speaking actor, locks their draft and reads the child the draft is about
// (in the actor's scope) — one prepared statement, one round trip. Columns come from the schema, so a renamed
// column fails to compile here as everywhere else.
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from './actor.js';
import { childScopeIn, type ChildRow } from './children.js';
import { stamped, stampOf } from './rowStamps.js';
import { bare, rowOf } from './statement.js';
import { areas, channelIdentities, children, conversations, processedInbound, staff, type ChannelName } from './schema.js';

export type Draft = typeof conversations.$inferSelect;

export interface InboundRead {
  /** False when the update id was recorded before: a redelivery. */
  fresh: boolean;
  actor: Actor | undefined;
  /** The actor's active draft, locked until the transaction ends. */
  draft: Draft | undefined;
  /**
   * The child the draft is about (its `child` answer), read in the actor's scope; undefined when there is none, or
   * it is out of scope (then the flow's own lookup refuses it, and audits the refusal).
   */
  child: ChildRow | undefined;
  /** What a later update's guard checks the actor by. */
  stamps: Stamps | undefined;
}

/** The stamps (src/db/rowStamps.ts) of the rows the actor was read from; the child's rides with the child row. */
export interface Stamps {
  identity: string;
  staff: string;
  area: string;
}


export function inboundReadQuery(key: string, at: Date, channel: ChannelName, externalId: string): SQL {
  return sql`with fresh as (
      insert into ${processedInbound} (${bare(processedInbound.key)}, ${bare(processedInbound.at)})
      values (${key}, ${at.toISOString()}::timestamptz) on conflict do nothing returning 1
    ), actor as (
      select ${staff.id} as staff_id, ${staff.name} as name, ${staff.role} as role, ${staff.areaCode} as area_code,
             ${areas.path} as area_path, coalesce(${staff.locale}, ${channelIdentities.locale}) as locale,
             ${stampOf(channelIdentities)} as identity_stamp, ${stampOf(staff)} as staff_stamp, ${stampOf(areas)} as area_stamp
      from ${channelIdentities}
      join ${staff} on ${staff.id} = ${channelIdentities.staffId}
      join ${areas} on ${areas.code} = ${staff.areaCode}
      where exists (select 1 from fresh) and ${channelIdentities.channel} = ${channel}
        and ${channelIdentities.externalId} = ${externalId} and ${staff.active}
      limit 1
    ), draft as (
      select ${conversations}.* from ${conversations}
      where ${conversations.staffId} = (select staff_id from actor) and ${conversations.status} = 'active'
      for update of ${conversations}
    ), child as (
      select ${children}.*, ${stampOf(children)} as row_stamp from ${children}, actor
      where ${children.id} = (select case when answers->>'child' ~ '^[0-9]{1,9}$' then (answers->>'child')::int end from draft)
        and ${childScopeIn({ role: sql`actor.role`, staffId: sql`actor.staff_id`, areaPath: sql`actor.area_path` })}
    )
    select exists (select 1 from fresh) as fresh, actor.*, (select to_jsonb(draft) from draft) as draft,
           (select to_jsonb(child) from child) as child
    from (select 1) as one left join actor on true`;
}

export function parseInboundRead(rows: Record<string, unknown>[]): InboundRead {
  const row = rows[0] ?? {};
  const actor: Actor | undefined =
    row.staff_id === null || row.staff_id === undefined
      ? undefined
      : {
          staffId: Number(row.staff_id),
          name: String(row.name),
          role: row.role as Actor['role'],
          areaCode: String(row.area_code),
          areaPath: String(row.area_path),
          locale: (row.locale as string | null) ?? null,
        };
  const json = row.draft as Record<string, unknown> | null | undefined;
  const child = row.child as Record<string, unknown> | null | undefined;
  return {
    fresh: row.fresh === true,
    actor,
    draft: json ? (rowOf(conversations, json)) : undefined,
    child: child ? stamped(rowOf(children, child), String(child.row_stamp)) : undefined,
    stamps: actor ? { identity: String(row.identity_stamp), staff: String(row.staff_stamp), area: String(row.area_stamp) } : undefined,
  };
}
