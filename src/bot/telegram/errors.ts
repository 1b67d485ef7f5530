// A failed Bot API call → what the outbox should do with the row. Telegram's codes: 403 the user blocked the bot
// (or deleted their account), 400 the request itself is wrong (chat not found, bad markup) — retrying cannot help;
// 429 says how long to wait; 5xx and network failures are worth another try later.
import { GrammyError, HttpError } from 'grammy';
import type { DeliveryResult } from '../channel.js';
import { InvalidButtonError } from './render.js';

type Failure = Extract<DeliveryResult, { ok: false }>;

export function deliveryFailure(error: unknown): Failure {
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const description = `${code} ${error.description}`;
    if (code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return { ok: false, permanent: false, error: description, retryAfterMs: seconds * 1000 };
    }
    if (code === 403 || code === 400) return { ok: false, permanent: true, error: description };
    // 401/404 mean a wrong token or API root: the message is fine, the configuration is not — retry after the fix.
    return { ok: false, permanent: false, error: description };
  }
  if (error instanceof InvalidButtonError) return { ok: false, permanent: true, error: error.message };
  if (error instanceof HttpError) return { ok: false, permanent: false, error: `network: ${error.message}` };
  return { ok: false, permanent: false, error: error instanceof Error ? error.message : String(error) };
}

/** Telegram's answer to an edit that changes nothing: the message already reads right, which is success. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}

/**
 * Telegram refuses to edit this message for good — it is gone, too old, or not a text the bot sent — so the new
 * state goes out as a new message instead.
 */
export function cannotEdit(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message to edit not found|message can't be edited|message_id_invalid|there is no text in the message to edit/i.test(error.description);
}

/** A second long-polling process (or a webhook set elsewhere) makes getUpdates answer 409. */
export function isPollingConflict(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 409;
}

/** A short, log-safe description (never the request payload, which may hold personal data). */
export function describeError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof HttpError) return `network: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
