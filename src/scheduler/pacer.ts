// Sending within each platform's rate limits. Sliding windows (N sends per W ms) per channel and per chat; a
// 429's retry_after blocks the whole channel until it passes. Works on a monotonic clock, not the scheduler's
// (possibly simulated) clock, because the limits are the platform's real ones.
import type { ChannelName } from '../db/schema.js';

export interface Window {
  max: number;
  perMs: number;
}

export interface ChannelLimits {
  overall: Window[];
  perChat: Window[];
  /**
   * Added to every window: requests leave here in order but reach the platform with some jitter, and a send
   * that lands inside the previous window costs a whole retry_after (a second or more) for the channel.
   */
  marginMs?: number;
}

/** Telegram: ~30/s overall, ~1/s per chat. Feishu: 50/s and 1,000/min per app, 5/s per chat. Local: none. */
export const defaultLimits: Record<ChannelName, ChannelLimits> = {
  telegram: { overall: [{ max: 30, perMs: 1000 }], perChat: [{ max: 1, perMs: 1000 }], marginMs: 50 },
  feishu: {
    overall: [
      { max: 50, perMs: 1000 },
      { max: 1000, perMs: 60_000 },
    ],
    perChat: [{ max: 5, perMs: 1000 }],
    marginMs: 50,
  },
  local: { overall: [], perChat: [] },
};

class SlidingLog {
  private readonly stamps: number[] = [];
  constructor(private readonly windows: Window[]) {}

  /** 0 when a send may go at `t`, else how long to wait; each window is widened by `margin` ms. */
  waitAt(t: number, margin: number): number {
    let wait = 0;
    for (const w of this.windows) {
      const span = w.perMs + margin;
      const inWindow = this.countSince(t - span);
      if (inWindow >= w.max) {
        const oldestThatMatters = this.stamps[this.stamps.length - w.max]!;
        wait = Math.max(wait, oldestThatMatters + span - t);
      }
    }
    return wait;
  }

  record(t: number): void {
    this.stamps.push(t);
    this.prune(t);
  }

  prune(t: number): void {
    // Keep what the widest window (with the largest margin ever used) can still count.
    const longest = Math.max(0, ...this.windows.map((w) => w.perMs)) + MAX_MARGIN_MS;
    while (this.stamps.length > 0 && this.stamps[0]! <= t - longest) this.stamps.shift();
  }

  get idle(): boolean {
    return this.stamps.length === 0;
  }

  private countSince(since: number): number {
    let n = 0;
    for (let i = this.stamps.length - 1; i >= 0 && this.stamps[i]! > since; i--) n++;
    return n;
  }
}

/** Each 429 widens a platform's margin by this much (up to the maximum); steady success narrows it back. */
const MARGIN_STEP_MS = 40;
const MAX_MARGIN_MS = 300;
const SUCCESSES_TO_NARROW = 100;

export class Pacer {
  private readonly overall = new Map<string, SlidingLog>();
  private readonly perChat = new Map<string, SlidingLog>();
  private readonly blockedUntil = new Map<string, number>();

  /** The jitter allowance per channel: starts at the platform's `marginMs`, adapts to the 429s actually met. */
  private readonly margins = new Map<string, { ms: number; successes: number }>();

  constructor(
    private readonly limits: Record<string, ChannelLimits> = defaultLimits,
    readonly now: () => number = () => performance.now(),
  ) {}

  marginOf(channel: string): number {
    return this.margin(channel).ms;
  }

  private margin(channel: string): { ms: number; successes: number } {
    let m = this.margins.get(channel);
    if (!m) {
      m = { ms: this.limits[channel]?.marginMs ?? 0, successes: 0 };
      this.margins.set(channel, m);
    }
    return m;
  }

  /** Takes a slot for one send when allowed now (returns 0), else returns the ms to wait and takes nothing. */
  tryTake(channel: string, chatId: string): number {
    const t = this.now();
    const limits = this.limits[channel] ?? { overall: [], perChat: [] };
    const blocked = (this.blockedUntil.get(channel) ?? 0) - t;
    const overall = this.log(this.overall, channel, limits.overall);
    const chatKey = `${channel}\u0000${chatId}`;
    const chat = this.log(this.perChat, chatKey, limits.perChat);
    const margin = this.margin(channel).ms;
    const wait = Math.max(blocked, overall.waitAt(t, margin), chat.waitAt(t, margin));
    if (wait > 0) return Math.ceil(wait);
    overall.record(t);
    chat.record(t);
    this.forgetIdleChats(t);
    return 0;
  }

  /**
   * The platform said 429: nothing more on this channel until the time it gave, and a wider margin from now on —
   * our sends reach it with more jitter than the margin allowed for.
   */
  block(channel: string, ms: number): void {
    const until = this.now() + ms;
    this.blockedUntil.set(channel, Math.max(until, this.blockedUntil.get(channel) ?? 0));
    const m = this.margin(channel);
    if (this.limits[channel]?.marginMs !== undefined) m.ms = Math.min(MAX_MARGIN_MS, m.ms + MARGIN_STEP_MS);
    m.successes = 0;
  }

  /** A send went through: after enough of them in a row, give back some of the margin. */
  delivered(channel: string): void {
    const m = this.margin(channel);
    const base = this.limits[channel]?.marginMs ?? 0;
    if (++m.successes >= SUCCESSES_TO_NARROW && m.ms > base) {
      m.ms = Math.max(base, m.ms - MARGIN_STEP_MS / 4);
      m.successes = 0;
    }
  }

  private log(map: Map<string, SlidingLog>, key: string, windows: Window[]): SlidingLog {
    let l = map.get(key);
    if (!l) {
      l = new SlidingLog(windows);
      map.set(key, l);
    }
    return l;
  }

  private sweepAt = 0;
  private forgetIdleChats(t: number): void {
    if (t < this.sweepAt) return;
    this.sweepAt = t + 60_000;
    for (const [key, l] of this.perChat) {
      l.prune(t);
      if (l.idle) this.perChat.delete(key);
    }
  }
}
