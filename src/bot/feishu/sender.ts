// Sending to Feishu through the SDK client, with Feishu's answers mapped to DeliveryResult: rate limits are
// retried after the time Feishu asks for, a chat the bot cannot reach is permanent, anything else is retried.
import { createHash } from 'node:crypto';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { DeliveryResult } from '../channel.js';
import type { OutMessage } from '../message.js';
import { renderMessage, splitOversized, type FeishuCard } from './render.js';

/** Feishu's own limits for a bot app, for the outbox's pacing. */
export const feishuLimits = { perSecond: 50, perMinute: 1000, perChatPerSecond: 5 } as const;

const RATE_LIMITED = new Set([99991400, 230020]);
/** The bot cannot reach this chat or user, or Feishu refuses the content: retrying cannot help. */
const PERMANENT = new Set([
  230001, // invalid parameter (receive id)
  230002, // the bot is not in the chat
  230006, // the bot ability is not enabled
  230013, // the user is outside the app's availability
  230017, // the bot is not in the chat (alias)
  230025, // content too long
  230027, // no permission
  230035, // sending not allowed in this chat
  230053, // the user stopped receiving messages from the bot
  230099, // card content rejected
  99992361, // open_id from another app
  99992402, // field validation failed
]);
/** The tenant token was revoked early (app secret reset): drop it so the SDK fetches a new one. */
const TOKEN_INVALID = new Set([99991661, 99991663, 99991668]);

interface FeishuAnswer {
  status?: number;
  code?: number;
  msg?: string;
  resetSeconds?: number;
}

function answerOf(error: unknown): FeishuAnswer {
  const e = error as { response?: { status?: number; data?: unknown; headers?: Record<string, unknown> } };
  const data = (e.response?.data ?? {}) as { code?: unknown; msg?: unknown };
  const reset = Number(e.response?.headers?.['x-ogw-ratelimit-reset']);
  return {
    status: e.response?.status,
    code: typeof data.code === 'number' ? data.code : undefined,
    msg: typeof data.msg === 'string' ? data.msg : error instanceof Error ? error.message : String(error),
    resetSeconds: Number.isFinite(reset) && reset > 0 ? reset : undefined,
  };
}

export function deliveryFailure(error: unknown): DeliveryResult & { ok: false } {
  const a = answerOf(error);
  const described = `feishu ${a.status ?? 'network'} code=${a.code ?? '-'}: ${a.msg ?? ''}`.slice(0, 300);
  if ((a.code !== undefined && RATE_LIMITED.has(a.code)) || a.status === 429) {
    return { ok: false, permanent: false, error: described, retryAfterMs: (a.resetSeconds ?? 1) * 1000 };
  }
  if (a.code !== undefined && PERMANENT.has(a.code)) return { ok: false, permanent: true, error: described };
  return { ok: false, permanent: false, error: described };
}

/** Feishu's `uuid` is at most 50 characters; longer keys are hashed, keeping the same key → same uuid. */
export function sendUuid(key: string): string {
  return key.length <= 50 ? key : createHash('sha256').update(key).digest('base64url').slice(0, 43);
}

/** A chat id (oc_…) or, for a user reached directly, an open_id (ou_…). */
export function receiveIdType(chatId: string): 'chat_id' | 'open_id' {
  return chatId.startsWith('ou_') ? 'open_id' : 'chat_id';
}

function stripCause(result: DeliveryResult & { cause?: unknown }): DeliveryResult {
  const { cause: _cause, ...rest } = result;
  return rest;
}

export class FeishuSender {
  constructor(
    private readonly client: lark.Client,
    private readonly logger: Logger,
    private readonly onTokenInvalid: () => void,
  ) {}

  /** One message; an oversized one goes out in parts, each with its own uuid, so a retry resends only what is missing. */
  async send(chatId: string, message: OutMessage, idempotencyKey: string): Promise<DeliveryResult> {
    const parts = splitOversized(message);
    let last: DeliveryResult = { ok: false, permanent: true, error: 'empty message' };
    for (const [i, part] of parts.entries()) {
      last = await this.sendOne(chatId, part, i === 0 ? idempotencyKey : `${idempotencyKey}#${i}`);
      if (!last.ok) return last;
    }
    return last;
  }

  private async sendOne(chatId: string, message: OutMessage, idempotencyKey: string): Promise<DeliveryResult> {
    try {
      const imageKey = message.image ? await this.uploadImage(message.image.pngBase64) : undefined;
      const rendered = renderMessage(message, imageKey);
      const res = await this.client.im.v1.message.create({
        params: { receive_id_type: receiveIdType(chatId) },
        data: { receive_id: chatId, msg_type: rendered.msgType, content: rendered.content, uuid: sendUuid(idempotencyKey) },
      });
      if (res.code !== undefined && res.code !== 0) throw { response: { status: 200, data: res } };
      return { ok: true, messageId: res.data?.message_id };
    } catch (error) {
      return this.failed(error);
    }
  }

  private readonly chatModes = new Map<string, string>();

  /** A chat's kind (p2p, group, topic), asked of Feishu once per chat: it never changes. Undefined when Feishu will not say. */
  async chatMode(chatId: string): Promise<string | undefined> {
    const known = this.chatModes.get(chatId);
    if (known) return known;
    try {
      const res = await this.client.im.v1.chat.get({ path: { chat_id: chatId } });
      const mode = res.code === 0 || res.code === undefined ? res.data?.chat_mode : undefined;
      if (!mode) return undefined;
      if (this.chatModes.size >= 10_000) this.chatModes.clear();
      this.chatModes.set(chatId, mode);
      return mode;
    } catch (error) {
      this.logger.warn({ error: deliveryFailure(error).error }, 'feishu chat lookup failed');
      return undefined;
    }
  }

  /**
   * Replaces a card the outbox sent earlier with this message (the preliminary alert, with the full report). Only a
   * card can be patched, within 14 days: a message that renders as a post or in parts, or any answer of Feishu's
   * other than "too many requests", marks the edit impossible and the outbox sends the message as a new one.
   */
  async edit(messageId: string, message: OutMessage): Promise<DeliveryResult> {
    const parts = splitOversized(message);
    const rendered = parts.length === 1 && !message.image ? renderMessage(message) : undefined;
    if (!rendered || rendered.msgType !== 'interactive') return { ok: false, permanent: true, cannotEdit: true, error: 'only a card can replace a card' };
    const result = await this.patchCard(messageId, JSON.parse(rendered.content) as FeishuCard);
    if (result.ok || result.retryAfterMs !== undefined || answerOf(result.cause).code === undefined) return stripCause(result);
    return { ok: false, permanent: true, cannotEdit: true, error: result.error };
  }

  /** Replaces a card sent earlier (a click the core answered after the 3-second window). */
  async patchCard(messageId: string, card: FeishuCard): Promise<DeliveryResult & { cause?: unknown }> {
    try {
      const res = await this.client.im.v1.message.patch({
        path: { message_id: messageId },
        data: { content: JSON.stringify(card) },
      });
      if (res.code !== undefined && res.code !== 0) throw { response: { status: 200, data: res } };
      return { ok: true, messageId };
    } catch (error) {
      return { ...this.failed(error), cause: error };
    }
  }

  private async uploadImage(pngBase64: string): Promise<string> {
    const res = await this.client.im.v1.image.create({
      data: { image_type: 'message', image: Buffer.from(pngBase64, 'base64') },
    });
    if (!res?.image_key) throw new Error('image upload returned no image_key');
    return res.image_key;
  }

  private failed(error: unknown): DeliveryResult {
    const result = deliveryFailure(error);
    const code = answerOf(error).code;
    if (code !== undefined && TOKEN_INVALID.has(code)) this.onTokenInvalid();
    this.logger.warn({ permanent: result.permanent, error: result.error }, 'feishu send failed');
    return result;
  }
}
