import type { OutMessage } from './message.js';

/** What the core answers to one inbound action; the adapter renders it. */
export interface Outcome {
  /** Messages to send, in order, to the chat the action came from. */
  replies: OutMessage[];
  /**
   * For a button press: what the pressed message should now read. Usually the question plus the answer chosen,
   * without buttons, so the chat stays a clean record; for a multi-choice toggle or a page of children, the same
   * question with its new buttons. Telegram edits the message, Feishu updates the card, the local chat redraws it.
   */
  resolved?: OutMessage;
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
