// What this instance knew of each recent user after their last update (actor, draft, the draft's child, and the
// stamps they were read with), so the next update can be computed without reading first: one round trip instead of
// two. Never trusted alone: the update's guard checks all of it in the database (src/db/updateGuard.ts). An update
// takes its user's entry while it runs (the per-user queue runs one at a time) and puts back the state it committed;
// an update that fails leaves nothing, so the next one reads afresh.
import type { KnownState } from '../db/updateGuard.js';

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
