import type { ChannelName } from '../db/schema.js';
import type { OutMessage } from './message.js';

export type DeliveryResult =
  | { ok: true; messageId?: string }
  /** permanent: the user blocked the bot, the chat is gone, the payload is refused — do not retry. */
  | { ok: false; permanent: boolean; error: string; retryAfterMs?: number; cannotEdit?: boolean };

/** A messenger channel as the rest of the service sees it. */
export interface ChannelRuntime {
  readonly name: ChannelName;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends one proactive message (from the outbox). `idempotencyKey` is the outbox row's id. */
  deliver(chatId: string, message: OutMessage, idempotencyKey: string): Promise<DeliveryResult>;
  /**
   * Replaces a message `deliver` sent earlier with this one, in place, where the channel can. A failure marked
   * `cannotEdit` (too old, gone, not editable) is final for the edit: the outbox then sends it as a new message.
   */
  edit?(chatId: string, messageId: string, message: OutMessage): Promise<DeliveryResult>;
  /** Shown in /healthz. */
  health(): Record<string, unknown>;
}
