// The Telegram channel: a real grammY Bot, long polling by default or a webhook route on the service's HTTP
// server. It translates updates into Inbound actions and the core's Outcome back into Telegram calls; it holds no
// flow logic. Interactive replies go through auto-retry; outbox deliveries do not (the sender paces and retries,
// and must see each 429).
import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { HttpError, json, jsonBody, type HttpRequest, type HttpResponse, type HttpServer } from '../../http/server.js';
import type { Logger } from '../../logger.js';
import type { ChannelRuntime, DeliveryResult } from '../channel.js';
import type { Inbound } from '../inbound.js';
import type { OutMessage } from '../message.js';
import { TemporaryFailure, type Outcome } from '../outcome.js';
import { publishCommands } from './commands.js';
import { cannotEdit, deliveryFailure, describeError, isNotModified, isPollingConflict } from './errors.js';
import { localeForUser, normaliseLocale, telegramText, type Locale, type TelegramTextKey } from './locale.js';
import { NoticeMemory } from './notices.js';
import { inlineKeyboard, MESSAGE_LIMIT, richToHtml, splitRich } from './render.js';
import { editOutMessage, NotEditable, sendOutMessage } from './send.js';
import { allowedUpdates, translateUpdate, type Translation } from './translate.js';
import { isValidSecretToken, secretMatches } from './webhookSecret.js';

/** What the adapter needs of the core (BotCore satisfies it). */
export interface InboundHandler {
  handle(inbound: Inbound): Promise<Outcome>;
}

export interface TelegramChannelDeps {
  config: Config;
  core: InboundHandler;
  http: HttpServer;
  logger: Logger;
  db: Db;
}

type Transport = 'polling' | 'webhook';
type State = 'idle' | 'starting' | 'running' | 'stopped' | 'failed';

/** Interactive replies wait at most this long on a 429 before giving up. */
const INTERACTIVE_RETRY = { maxDelaySeconds: 10, maxRetryAttempts: 3 };
const TOAST_LIMIT = 200;

const webhookUpdateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

export function createTelegramChannel(deps: TelegramChannelDeps): ChannelRuntime {
  return new TelegramChannel(deps);
}

class TelegramChannel implements ChannelRuntime {
  readonly name = 'telegram' as const;
  private readonly bot: Bot;
  /** Outbox deliveries: the same client without auto-retry. */
  private readonly outbound: Api;
  private readonly mode: Transport;
  private readonly logger: Logger;
  private readonly defaultLocale: Locale;
  private state: State = 'idle';
  private lastError: { message: string; at: string } | undefined;
  private polling: Promise<void> | undefined;
  private readonly editNotices = new NoticeMemory(6 * 60 * 60 * 1000);
  private readonly groupNotices = new NoticeMemory(60 * 1000);

  constructor(private readonly deps: TelegramChannelDeps) {
    const { config } = deps;
    const token = config.TELEGRAM_BOT_TOKEN;
    if (!token) throw new Error('Telegram: TELEGRAM_BOT_TOKEN is not set');
    const client = config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, '') } : {};
    this.logger = deps.logger.child({ channel: 'telegram' });
    this.defaultLocale = config.DEFAULT_LOCALE;
    this.bot = new Bot(token, { client });
    this.bot.api.config.use(autoRetry(INTERACTIVE_RETRY));
    this.outbound = new Api(token, client);
    this.mode = config.TELEGRAM_WEBHOOK_URL ? 'webhook' : 'polling';

    this.bot.use((ctx) => this.process(ctx.update, 'polling'));
    this.bot.catch((error) => this.recordError('update failed', error.error));

    if (this.mode === 'webhook') {
      const secret = config.TELEGRAM_WEBHOOK_SECRET;
      if (!secret || !isValidSecretToken(secret)) {
        throw new Error('Telegram: TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
      }
      const path = new URL(config.TELEGRAM_WEBHOOK_URL!).pathname;
      deps.http.route('POST', path, (req) => this.onWebhook(req, secret));
    }
  }

  async start(): Promise<void> {
    this.state = 'starting';
    try {
      await this.bot.init();
    } catch (error) {
      this.state = 'failed';
      this.recordError('getMe failed: check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT', error);
      throw new Error(`Telegram: getMe failed (${describeError(error)}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT`);
    }
    await publishCommands(this.bot.api).catch((error) => this.recordError('setMyCommands failed', error));

    if (this.mode === 'webhook') {
      const config = this.deps.config;
      try {
        await this.bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL!, {
          secret_token: config.TELEGRAM_WEBHOOK_SECRET,
          allowed_updates: [...allowedUpdates],
        });
      } catch (error) {
        // Typically an address Telegram will not call (not HTTPS, a port other than 443, 80, 88 or 8443).
        this.state = 'failed';
        this.recordError('setWebhook failed: check TELEGRAM_WEBHOOK_URL', error);
        throw new Error(`Telegram: setWebhook failed (${describeError(error)}); check TELEGRAM_WEBHOOK_URL`);
      }
      this.state = 'running';
      this.logger.info({ bot: this.bot.botInfo.username, mode: 'webhook' }, 'telegram webhook set');
      return;
    }
    await this.startPolling();
  }

  private async startPolling(): Promise<void> {
    // grammY's bot.start deletes any webhook before polling. With several instances in webhook mode, one instance
    // started without TELEGRAM_WEBHOOK_URL would silently steal every update from them: refuse instead.
    const info = await this.bot.api.getWebhookInfo();
    if (info.url) {
      this.state = 'failed';
      this.recordError(
        'a webhook is set for this bot: long polling refused. Set TELEGRAM_WEBHOOK_URL here as well (several instances ' +
          'need webhook mode), or call deleteWebhook to switch this bot to long polling',
      );
      return;
    }
    await new Promise<void>((resolve) => {
      this.polling = this.bot
        .start({
          allowed_updates: [...allowedUpdates],
          onStart: (me) => {
            this.state = 'running';
            this.logger.info({ bot: me.username, mode: 'polling' }, 'telegram long polling started');
            resolve();
          },
        })
        .then(
          () => {
            if (this.state !== 'failed') this.state = 'stopped';
          },
          (error: unknown) => {
            this.state = 'failed';
            if (isPollingConflict(error)) {
              this.recordError(
                'getUpdates answered 409 Conflict: another process is long-polling this bot token (or a webhook was set). ' +
                  'Long polling allows one process per token; run several instances in webhook mode (TELEGRAM_WEBHOOK_URL). ' +
                  'Telegram polling stopped in this process.',
                error,
              );
            } else {
              this.recordError('telegram long polling stopped', error);
            }
            resolve();
          },
        );
    });
  }

  async stop(): Promise<void> {
    if (this.mode === 'polling' && this.bot.isRunning()) {
      await this.bot.stop().catch((error) => this.logger.warn({ error: describeError(error) }, 'telegram stop: offset not confirmed'));
    }
    await this.polling;
    if (this.state !== 'failed') this.state = 'stopped';
  }

  async deliver(chatId: string, message: OutMessage, idempotencyKey: string): Promise<DeliveryResult> {
    try {
      const messageId = await sendOutMessage(this.outbound, chatId, message);
      return messageId === undefined ? { ok: true } : { ok: true, messageId: String(messageId) };
    } catch (error) {
      const failure = deliveryFailure(error);
      this.logger.warn({ outboxId: idempotencyKey, error: failure.error, permanent: failure.permanent }, 'telegram delivery failed');
      return failure;
    }
  }

  async edit(chatId: string, messageId: string, message: OutMessage): Promise<DeliveryResult> {
    try {
      await editOutMessage(this.outbound, chatId, Number(messageId), message);
      return { ok: true, messageId };
    } catch (error) {
      if (isNotModified(error)) return { ok: true, messageId };
      if (error instanceof NotEditable || cannotEdit(error)) return { ok: false, permanent: true, cannotEdit: true, error: describeError(error) };
      const failure = deliveryFailure(error);
      this.logger.warn({ error: failure.error, permanent: failure.permanent }, 'telegram edit failed');
      return failure;
    }
  }

  health(): Record<string, unknown> {
    return {
      mode: this.mode,
      state: this.state,
      running: this.state === 'running',
      ...(this.bot.isInited() ? { bot: this.bot.botInfo.username } : {}),
      ...(this.lastError ? { lastError: this.lastError.message, lastErrorAt: this.lastError.at } : {}),
    };
  }

  private async onWebhook(req: HttpRequest, secret: string): Promise<HttpResponse> {
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], secret)) {
      this.logger.warn({ remote: req.remoteAddress }, 'telegram webhook: wrong or missing secret token, rejected');
      return json(401, { error: 'unauthorized' });
    }
    if (this.state !== 'running') return json(503, { error: 'not running' });
    const parsed = webhookUpdateSchema.safeParse(jsonBody(req));
    if (!parsed.success) throw new HttpError(400, 'not a Telegram update');
    try {
      await this.process(parsed.data as unknown as Update, 'webhook');
    } catch (error) {
      if (error instanceof TemporaryFailure) {
        // Nothing was written: Telegram keeps the update and redelivers it.
        this.recordError('database unavailable: asked Telegram to redeliver', error);
        return { ...json(503, { error: 'temporarily unavailable' }), headers: { 'content-type': 'application/json', 'retry-after': '5' } };
      }
      // Any other failure happened after the core answered (sending failed): a redelivery would change nothing.
      this.recordError('webhook update failed', error);
    }
    return json(200, { ok: true });
  }

  /**
   * Handles one update. In webhook mode a TemporaryFailure propagates (→ 503, Telegram redelivers); in polling mode
   * the user is told to try again, since getUpdates has already moved past the update.
   */
  private async process(update: Update, transport: Transport): Promise<void> {
    const translation = translateUpdate(update, this.bot.botInfo.id);
    switch (translation.kind) {
      case 'ignore':
        this.logger.debug({ updateId: update.update_id, reason: translation.reason }, 'telegram update ignored');
        return;
      case 'group':
        return this.refuseGroup(translation);
      case 'edited':
        if (this.editNotices.firstTime(translation.userId)) await this.notice(translation, 'editedIgnored');
        return;
      case 'unsupported':
        return this.notice(translation, 'unsupported');
      case 'inbound':
        return this.handleInbound(translation, transport);
    }
  }

  private async handleInbound(t: Extract<Translation, { kind: 'inbound' }>, transport: Transport): Promise<void> {
    const { inbound } = t;
    let outcome: Outcome;
    try {
      outcome = await this.deps.core.handle(inbound);
    } catch (error) {
      if (error instanceof TemporaryFailure) {
        if (transport === 'webhook') throw error;
        this.recordError('database unavailable: user asked to retry', error);
        await this.answerPress(t.callbackQueryId, error.retryText);
        await this.safeSend(inbound.chatId, error.retryText);
        return;
      }
      this.recordError('core failed on an update', error);
      const locale = normaliseLocale(inbound.languageHint, this.defaultLocale);
      await this.answerPress(t.callbackQueryId, undefined);
      await this.safeSend(inbound.chatId, telegramText(locale, 'failed'));
      return;
    }
    if (outcome.duplicate) return;

    const api = this.bot.api;
    if (t.callbackQueryId !== undefined) {
      await this.answerPress(t.callbackQueryId, outcome.toast);
      // The core may hand back the question with new buttons (a multi-choice toggle, another page of children):
      // then the keyboard is replaced; without buttons the edit removes it and the question reads as answered.
      const resolved: OutMessage | undefined = outcome.resolved;
      if (resolved && t.messageId !== undefined) {
        const text = splitRich(resolved.text, MESSAGE_LIMIT)[0];
        const keyboard = inlineKeyboard(resolved.buttons);
        if (text) {
          await api
            .editMessageText(inbound.chatId, t.messageId, richToHtml(text), {
              parse_mode: 'HTML',
              link_preview_options: { is_disabled: true },
              ...(keyboard ? { reply_markup: keyboard } : {}),
            })
            .catch((error) => {
              if (!isNotModified(error)) this.recordError('could not edit the answered question', error);
            });
        }
      }
    }
    for (const reply of outcome.replies) {
      await sendOutMessage(api, inbound.chatId, reply);
    }
  }

  private async refuseGroup(t: Extract<Translation, { kind: 'group' }>): Promise<void> {
    const locale = await localeForUser(this.deps.db, t.userId, t.languageHint, this.defaultLocale);
    if (t.callbackQueryId !== undefined) {
      await this.answerPress(t.callbackQueryId, telegramText(locale, 'groupButtonRefusal'));
      return;
    }
    if (this.groupNotices.firstTime(t.chatId)) await this.safeSend(t.chatId, telegramText(locale, 'groupRefusal'));
  }

  private async notice(t: { chatId: string; userId: string; languageHint?: string }, key: TelegramTextKey): Promise<void> {
    const locale = await localeForUser(this.deps.db, t.userId, t.languageHint, this.defaultLocale);
    await this.safeSend(t.chatId, telegramText(locale, key));
  }

  /** Stops the button's spinner; a query too old to answer is not worth failing the update for. */
  private async answerPress(callbackQueryId: string | undefined, toast: string | undefined): Promise<void> {
    if (callbackQueryId === undefined) return;
    await this.bot.api
      .answerCallbackQuery(callbackQueryId, toast ? { text: toast.slice(0, TOAST_LIMIT) } : {})
      .catch((error) => this.logger.warn({ error: describeError(error) }, 'answerCallbackQuery failed'));
  }

  private async safeSend(chatId: string, text: string): Promise<void> {
    await sendOutMessage(this.bot.api, chatId, { text: [{ text }] }).catch((error) => this.recordError('could not send a notice', error));
  }

  private recordError(message: string, error?: unknown): void {
    const detail = error === undefined ? undefined : describeError(error);
    this.lastError = { message: detail ? `${message}: ${detail}` : message, at: new Date().toISOString() };
    this.logger.error({ ...(detail ? { error: detail } : {}) }, message);
  }
}
