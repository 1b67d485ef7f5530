import type { OutMessage, Rich } from './message.js';

/** What the core answers to one inbound action; the adapter renders it. */
export interface Outcome {
  /** Messages to send, in order, to the chat the action came from. */
  replies: OutMessage[];
  /**
   * For a button press: what the pressed question should now read — its text plus the answer chosen, without
   * buttons — so the chat stays a clean record (Telegram edits the message, Feishu updates the card).
   */
  resolved?: { text: Rich };
  /** A short toast for the press itself (Telegram answerCallbackQuery text, Feishu toast). */
  toast?: string;
  /** The user's language, for adapter-level texts (errors, command menus). */
  locale: string;
  /** True when this delivery had been processed already: nothing was done, nothing should be sent. */
  duplicate?: boolean;
}

/**
 * Thrown by the core when the database cannot be reached. Nothing was written. A webhook transport answers
 * non-2xx so the platform redelivers; an interactive transport tells the user to retry (`retryText`).
 */
export class TemporaryFailure extends Error {
  constructor(
    readonly retryText: string,
    options?: { cause?: unknown },
  ) {
    super('temporary failure: database unavailable', options);
  }
}
