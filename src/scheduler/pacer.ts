// Sending within each platform's rate limits. Sliding windows (N sends per W ms) per channel and per chat; a
// 429's retry_after blocks the whole channel until it passes. Works on a monotonic clock, not the scheduler's
// (possibly simulated) clock, because the limits are the platform's real ones.
//
// A send occupies its window from the moment it leaves until its answer comes back, and the window is counted
// from the answer: the platform saw the request somewhere in between, so however requests are delayed or
// reordered on the way, the platform never sees more than N within W.
import type { ChannelName } from '../db/schema.js';

export interface Window {
  max: number;
  perMs: number;
}

export interface ChannelLimits {
  overall: Window[];
  perChat: Window[];
  /** Added to every window (clock granularity); widened after each 429 met, as a safety net. */
  marginMs?: number;
}

/** Telegram: ~30/s overall, ~1/s per chat. Feishu: 50/s and 1,000/min per app, 5/s per chat. Local: none. */
export const defaultLimits: Record<ChannelName, ChannelLimits> = {
  telegram: { overall: [{ max: 30, perMs: 1000 }], perChat: [{ max: 1, perMs: 1000 }], marginMs: 10 },
  feishu: {
    overall: [
      { max: 50, perMs: 1000 },
      { max: 1000, perMs: 60_000 },
    ],
    perChat: [{ max: 5, perMs: 1000 }],
    marginMs: 10,
  },
  local: { overall: [], perChat: [] },
};

interface Stamp {
  t: number;
  /** False while the request is on its way: it counts as sent "now" until its answer. */
  done: boolean;
}

/** A request never answered (a hung connection) stops holding its slot after this long. */
const IN_FLIGHT_LIMIT_MS = 60_000;
const settled = (s: Stamp, t: number) => s.done || t - s.t >= IN_FLIGHT_LIMIT_MS;
const endOf = (s: Stamp) => (s.done ? s.t : s.t + IN_FLIGHT_LIMIT_MS);

class SlidingLog {
  private stamps: Stamp[] = [];
  constructor(private readonly windows: Window[]) {}

  /** 0 when a send may go at `t`, else how long to wait; each window is widened by `margin` ms. */
  waitAt(t: number, margin: number): number {
    let wait = 0;
    for (const w of this.windows) {
      const span = w.perMs + margin;
      const live = this.stamps.filter((s) => !settled(s, t) || endOf(s) > t - span);
      if (live.length < w.max) continue;
      const finished = live.filter((s) => settled(s, t)).map(endOf).sort((a, b) => a - b);
      const mustLeave = live.length - w.max + 1;
      // Waiting on answers still in flight: look again shortly.
      wait = Math.max(wait, finished.length >= mustLeave ? finished[mustLeave - 1]! + span - t : 5);
    }
    return wait;
  }

  take(t: number): Stamp {
    const stamp = { t, done: false };
    this.stamps.push(stamp);
    return stamp;
  }

  prune(t: number): void {
    // Keep what the widest window (with the largest margin ever used) can still count.
    const longest = Math.max(0, ...this.windows.map((w) => w.perMs)) + MAX_MARGIN_MS;
    this.stamps = this.stamps.filter((s) => !settled(s, t) || endOf(s) > t - longest);
  }

  get idle(): boolean {
    return this.stamps.length === 0;
  }
}

/** A slot taken for one send; `done()` when the platform has answered (or the send failed). */
export interface Ticket {
  done(): void;
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

  /** Takes a slot for one send when allowed now (a ticket), else says how many ms to wait and takes nothing. */
  tryTake(channel: string, chatId: string): { wait: number; ticket?: Ticket } {
    const t = this.now();
    const limits = this.limits[channel] ?? { overall: [], perChat: [] };
    const blocked = (this.blockedUntil.get(channel) ?? 0) - t;
    const overall = this.log(this.overall, channel, limits.overall);
    const chatKey = `${channel}\u0000${chatId}`;
    const chat = this.log(this.perChat, chatKey, limits.perChat);
    const margin = this.margin(channel).ms;
    const wait = Math.max(blocked, overall.waitAt(t, margin), chat.waitAt(t, margin));
    if (wait > 0) return { wait: Math.ceil(wait) };
    const stamps = [overall.take(t), chat.take(t)];
    this.forgetIdleChats(t);
    return {
      wait: 0,
      ticket: {
        done: () => {
          const at = this.now();
          for (const s of stamps) {
            s.t = at;
            s.done = true;
          }
          overall.prune(at);
        },
      },
    };
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
