// A local-chat client as the web page is one: it posts each action with its own id and, when the answer is lost,
// posts the same id again; when a retry turns out to have been applied already (duplicate), it asks the bot to
// show the current question again.
import { richToPlain, type OutMessage } from '../../../src/bot/message.js';

export type Step = { say: string } | { press: string };

export interface Answer {
  status: number;
  json: Record<string, unknown>;
}

export function messagesOf(json: Record<string, unknown>): OutMessage[] {
  const replies = (json.replies as OutMessage[] | undefined) ?? [];
  const resolved = json.resolved as OutMessage | undefined;
  return resolved ? [resolved, ...replies] : replies;
}

export const textOf = (json: Record<string, unknown>): string => messagesOf(json).map((m) => richToPlain(m.text)).join('\n');

/** The data of the newest button whose label contains `label`. */
export function buttonData(shown: OutMessage[], label: string): string | undefined {
  for (let i = shown.length - 1; i >= 0; i--) {
    const b = (shown[i]!.buttons ?? []).flat().find((x) => x.label.includes(label));
    if (b) return b.data;
  }
  return undefined;
}

/** Seeded PRNG (mulberry32): the same seed kills at the same points. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
