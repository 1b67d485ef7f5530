// Remembers which adapter notices (edits are ignored, groups are refused) were shown lately, so a user who edits
// five messages or a busy group is told once rather than five times. Per process: a repeat after a restart is
// harmless. Bounded, so a flood of distinct chats cannot grow it without limit.
export class NoticeMemory {
  private readonly shownAt = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `key` is seen within the TTL (and records it). */
  firstTime(key: string): boolean {
    const now = this.now();
    const at = this.shownAt.get(key);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.shownAt.delete(key);
    this.shownAt.set(key, now);
    if (this.shownAt.size > this.maxEntries) {
      const oldest = this.shownAt.keys().next().value;
      if (oldest !== undefined) this.shownAt.delete(oldest);
    }
    return true;
  }
}
