// Messages the outbox delivers to local chats, kept in memory until the page has shown them. A read moves the
// chat's cursor and drops what was shown, so signing in again brings only what arrived meanwhile, never a replay.
import type { OutMessage } from '../message.js';

export interface InboxItem {
  seq: number;
  message: OutMessage;
}

/** Bounded per chat: it is a page's mailbox, the outbox row is the record. */
const MAX_PER_CHAT = 200;

export class LocalInbox {
  private readonly chats = new Map<string, InboxItem[]>();
  private seq = 0;

  put(chatId: string, message: OutMessage): number {
    const list = this.chats.get(chatId) ?? [];
    list.push({ seq: ++this.seq, message });
    this.chats.set(chatId, list.slice(-MAX_PER_CHAT));
    return this.seq;
  }

  /** What arrived after `after` (the last seq the page showed); everything up to `after` is dropped as seen. */
  read(chatId: string, after: number): InboxItem[] {
    const unseen = (this.chats.get(chatId) ?? []).filter((m) => m.seq > after);
    if (unseen.length) this.chats.set(chatId, unseen);
    else this.chats.delete(chatId);
    return unseen;
  }

  forget(chatId: string): void {
    this.chats.delete(chatId);
  }
}
