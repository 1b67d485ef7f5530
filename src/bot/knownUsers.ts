// What this instance knew of each recent user after their last update (actor, draft, the draft's child, and the
// stamps they were read with; while the draft has no child yet, the children the last page offered), so the next
// update can be computed without reading first: one round trip instead of two. Never trusted alone: the update's
// guard checks all of it in the database (src/db/updateGuard.ts). An update takes its user's entry while it runs (the per-user queue runs one at a time) and puts back the state it committed;
// an update that fails leaves nothing, so the next one reads afresh.
import { listedChild, type ChildListItem, type ChildRow } from '../db/children.js';
import type { Actor } from '../db/actor.js';
import type { Draft, Stamps } from '../db/inboundRead.js';
import { rowStamp } from '../db/rowStamps.js';
import type { KnownState } from '../db/updateGuard.js';
import { childMemoKey } from '../flows/childInfo.js';

export class KnownUsers {
  private readonly states = new Map<string, KnownState>();

  constructor(private readonly capacity = 10_000) {}

  take(user: string): KnownState | undefined {
    const state = this.states.get(user);
    this.states.delete(user);
    return state;
  }

  put(user: string, state: KnownState): void {
    this.states.delete(user);
    this.states.set(user, state);
    // A Map iterates in insertion order: the first key is the user heard from least recently.
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
  }
}

/** How long the children a page offered may be taken unread: a person choosing from the list does so within minutes. */
const OFFERED_FOR_MS = 10 * 60_000;

/** The children the state offers at `now`, if any are still to be taken unread. */
export function stillOffered(state: KnownState, now: Date): readonly ChildListItem[] {
  return state.offered && state.offered.until > now.getTime() ? state.offered.children : [];
}

/**
 * The reads one update shares (src/flows/types.ts `memo`), seeded with the draft's child when the state came with it.
 * Where the state holds the children the last update offered, the first lookup of one of them takes it unread if
 * `adopt` lets the guard check it (src/db/updateGuard.ts); any other lookup reads as usual.
 */
export function updateMemo(child: ChildRow | undefined, offered: readonly ChildListItem[] = [], adopt: (row: ChildRow) => boolean = () => false): Map<string, Promise<unknown>> {
  const memo = offered.length ? new OfferedMemo(offered, adopt) : new Map<string, Promise<unknown>>();
  if (child) memo.set(childMemoKey(child.id), Promise.resolve(child));
  return memo;
}

class OfferedMemo extends Map<string, Promise<unknown>> {
  private readonly offered: Map<string, ChildListItem>;

  constructor(
    offered: readonly ChildListItem[],
    private readonly adopt: (row: ChildRow) => boolean,
  ) {
    super();
    this.offered = new Map(offered.map((item) => [childMemoKey(item.id), item]));
  }

  override get(key: string): Promise<unknown> | undefined {
    const hit = super.get(key);
    if (hit || this.offered.size === 0) return hit;
    const item = this.offered.get(key);
    if (!item) return undefined;
    this.offered.clear(); // one child at most is taken unread: the guard checks one
    const row = listedChild(item);
    if (!row || !this.adopt(row)) return undefined;
    const taken = Promise.resolve(row);
    this.set(key, taken);
    return taken;
  }
}

/**
 * What the next update may start from: the actor, their draft as this update left it, and the draft's child when this
 * update holds it with its stamp — or, while the draft has none, the children it offered. A draft about a child not
 * in hand leaves nothing: the next update reads afresh.
 */
export async function stateAfter(actor: Actor, stamps: Stamps, draft: Draft | undefined, memo: Map<string, Promise<unknown>>, offered: readonly ChildListItem[], now: Date): Promise<KnownState | undefined> {
  const childId = draft?.answers.child;
  if (childId === undefined || childId === null) {
    const kept = draft && offered.length ? { offered: { children: [...offered], until: now.getTime() + OFFERED_FOR_MS } } : {};
    return { actor, stamps, draft, child: undefined, ...kept };
  }
  const child = (await memo.get(childMemoKey(Number(childId)))?.catch(() => undefined)) as ChildRow | undefined;
  return child && rowStamp(child) !== undefined ? { actor, stamps, draft, child } : undefined;
}
