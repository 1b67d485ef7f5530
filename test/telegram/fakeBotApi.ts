// A Bot API server on loopback that answers like Telegram for the methods the bot uses, records every call, and
// can be told to fail (429 with retry_after, 403 blocked, 5xx). The real grammY Bot talks to it via apiRoot.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Chat, InlineKeyboardMarkup, Message, Update, User, UserFromGetMe } from 'grammy/types';
import { HtmlParseError, parseTelegramHtml } from './telegramHtml.js';

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** What the fake answered: 200 or an error code. */
  status: number;
}

export interface ApiFailure {
  code: number;
  description: string;
  retryAfter?: number;
}

interface StoredMessage {
  message: Message;
  /** The raw HTML as sent, and its parsed form, to detect "message is not modified". */
  parsed: { text: string; entities: string[] };
  markup: string;
}

class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.description);
  }
}

const badRequest = (description: string) => new ApiError({ code: 400, description: `Bad Request: ${description}` });

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto']);
const MESSAGE_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

export class FakeBotApi {
  readonly token = `${100000 + Math.floor(Math.random() * 800000)}:${randomBytes(12).toString('hex')}`;
  readonly bot: UserFromGetMe;
  readonly calls: ApiCall[] = [];
  private server: Server | undefined;
  private port = 0;
  private nextUpdateId = 500_000_000 + Math.floor(Math.random() * 1000);
  private nextMessageId = 1;
  private readonly queue: Update[] = [];
  private waiter: { res: ServerResponse; finish: (updates: Update[]) => void; timer: NodeJS.Timeout } | undefined;
  private readonly offsetListeners: { updateId: number; resolve: () => void }[] = [];
  private confirmedOffset = 0;
  private readonly chats = new Map<number, Chat>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly openQueries = new Set<string>();
  private readonly blocked = new Set<number>();
  private readonly failures: { method: string; failure: ApiFailure; remaining: number }[] = [];
  private rate: { perSecond: number; retryAfter: number; sentAt: number[] } | undefined;
  webhook: { url: string; secret?: string; allowedUpdates?: string[] } | undefined;
  readonly commands = new Map<string, { command: string; description: string }[]>();

  constructor(botName = 'caseworker_test_bot') {
    this.bot = {
      id: Number(this.token.split(':')[0]),
      is_bot: true,
      first_name: 'Caseworker',
      username: botName,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    } as UserFromGetMe;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter.finish([]);
    }
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- test controls -------------------------------------------------------------------------------------------

  /** The next `count` calls of `method` fail with `failure`. */
  failNext(method: string, failure: ApiFailure, count = 1): void {
    this.failures.push({ method, failure, remaining: count });
  }

  /** The user blocked the bot: sends to them answer 403. */
  block(chatId: number): void {
    this.blocked.add(chatId);
  }

  /** Sends beyond `perSecond` in any one-second window answer 429 with `retry_after`. */
  rateLimit(perSecond: number, retryAfter = 1): void {
    this.rate = { perSecond, retryAfter, sentAt: [] };
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Successful sends (text and photos) to a chat, in order. */
  sentTo(chatId: number): Message[] {
    return [...this.messages.values()]
      .map((m) => m.message)
      .filter((m) => m.chat.id === chatId && m.from?.id === this.bot.id)
      .sort((a, b) => a.message_id - b.message_id);
  }

  /** The current state of a message (after edits). */
  message(chatId: number, messageId: number): Message | undefined {
    return this.messages.get(`${chatId}:${messageId}`)?.message;
  }

  // ---- users, chats and updates --------------------------------------------------------------------------------

  user(id: number, firstName: string, options: { languageCode?: string; lastName?: string; isBot?: boolean } = {}): User {
    const user: User = {
      id,
      is_bot: options.isBot ?? false,
      first_name: firstName,
      ...(options.lastName ? { last_name: options.lastName } : {}),
      ...(options.languageCode ? { language_code: options.languageCode } : {}),
    };
    this.chats.set(id, { id, type: 'private', first_name: firstName } as Chat);
    return user;
  }

  group(id: number, title: string): Chat {
    const chat = { id, type: 'supergroup', title } as Chat;
    this.chats.set(id, chat);
    return chat;
  }

  private chatOf(user: User, chat?: Chat): Chat {
    return chat ?? this.chats.get(user.id) ?? ({ id: user.id, type: 'private', first_name: user.first_name } as Chat);
  }

  private userMessage(user: User, chat: Chat | undefined, fields: Partial<Message>): NonNullable<Update['message']> {
    const c = this.chatOf(user, chat);
    const message = { message_id: this.nextMessageId++, from: user, chat: c, date: now(), ...fields } as Message;
    this.messages.set(`${c.id}:${message.message_id}`, { message, parsed: { text: message.text ?? '', entities: [] }, markup: '' });
    return message as NonNullable<Update['message']>;
  }

  text(user: User, text: string, chat?: Chat): Update {
    const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
    const entities = command ? [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] : undefined;
    return { update_id: this.nextUpdateId++, message: this.userMessage(user, chat, { text, ...(entities ? { entities } : {}) }) };
  }

  location(user: User, latitude: number, longitude: number): Update {
    return { update_id: this.nextUpdateId++, message: this.userMessage(user, undefined, { location: { latitude, longitude } }) };
  }

  photo(user: User, caption?: string): Update {
    const base = randomBytes(6).toString('hex');
    const photo = [90, 320, 1280].map((w) => ({
      file_id: `AgAC-${base}-${w}`,
      file_unique_id: `AQAD-${base}-${w}`,
      width: w,
      height: Math.round((w * 3) / 4),
      file_size: w * 60,
    }));
    return { update_id: this.nextUpdateId++, message: this.userMessage(user, undefined, { photo, ...(caption ? { caption } : {}) }) };
  }

  sticker(user: User): Update {
    const sticker = { file_id: 'CAAC-sticker', file_unique_id: 'AgAD-sticker', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false };
    return { update_id: this.nextUpdateId++, message: this.userMessage(user, undefined, { sticker } as Partial<Message>) };
  }

  edited(original: Message, newText: string): Update {
    return { update_id: this.nextUpdateId++, edited_message: { ...original, text: newText, edit_date: now() } as NonNullable<Update['edited_message']> };
  }

  /** A press on the button labelled `label` in the newest bot message that has it (in the user's private chat). */
  press(user: User, label: string, chat?: Chat): Update {
    const chatId = this.chatOf(user, chat).id;
    const candidates = this.sentTo(chatId).reverse();
    for (const message of candidates) {
      const button = message.reply_markup?.inline_keyboard.flat().find((b) => b.text === label);
      if (button && 'callback_data' in button) return this.pressData(user, message, button.callback_data);
    }
    const shown = candidates[0]?.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
    throw new Error(`no button "${label}" in chat ${chatId}; the newest buttons are: ${shown.join(' | ') || '(none)'}`);
  }

  /** A press with arbitrary data on a given message, as a forged or stale client could send. */
  pressData(user: User, message: Message, data: string): Update {
    const id = `${BigInt(user.id) * 1000n + BigInt(this.nextUpdateId)}`;
    this.openQueries.add(id);
    return {
      update_id: this.nextUpdateId++,
      callback_query: { id, from: user, message, chat_instance: `ci-${message.chat.id}`, data } as Update['callback_query'],
    } as Update;
  }

  /** For polling: queue the update; resolves once the bot has confirmed it (asked for a later offset). */
  enqueue(update: Update): Promise<void> {
    this.queue.push(update);
    const done = new Promise<void>((resolve) => {
      if (this.confirmedOffset > update.update_id) resolve();
      else this.offsetListeners.push({ updateId: update.update_id, resolve });
    });
    this.flushWaiter();
    return done;
  }

  /** For webhook mode: POST the update to the registered URL as Telegram does; resolves with the HTTP status. */
  async post(update: Update, options: { secret?: string | null } = {}): Promise<number> {
    if (!this.webhook) throw new Error('no webhook set');
    const secret = options.secret === undefined ? this.webhook.secret : options.secret;
    const res = await fetch(this.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  // ---- the HTTP side -------------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const params = await readParams(req);
    const call: ApiCall = { method, params, at: Date.now(), status: 200 };
    this.calls.push(call);
    try {
      this.injectedFailure(method);
      if (method === 'getUpdates') return this.getUpdates(params, res, call);
      const result = this.dispatch(method, params);
      reply(res, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const f = error.failure;
      call.status = f.code;
      reply(res, f.code, {
        ok: false,
        error_code: f.code,
        description: f.description,
        ...(f.retryAfter !== undefined ? { parameters: { retry_after: f.retryAfter } } : {}),
      });
    }
  }

  private injectedFailure(method: string): void {
    const index = this.failures.findIndex((f) => f.method === method && f.remaining > 0);
    if (index >= 0) {
      const entry = this.failures[index]!;
      entry.remaining -= 1;
      if (entry.remaining === 0) this.failures.splice(index, 1);
      throw new ApiError(entry.failure);
    }
    if (this.rate && SEND_METHODS.has(method)) {
      const t = Date.now();
      this.rate.sentAt = this.rate.sentAt.filter((at) => t - at < 1000);
      if (this.rate.sentAt.length >= this.rate.perSecond) {
        throw new ApiError({ code: 429, description: `Too Many Requests: retry after ${this.rate.retryAfter}`, retryAfter: this.rate.retryAfter });
      }
      this.rate.sentAt.push(t);
    }
  }

  private dispatch(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case 'getMe':
        return this.bot;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length };
      case 'setWebhook': {
        const url = String(p.url ?? '');
        if (url === '') {
          this.webhook = undefined;
          return true;
        }
        const secret = p.secret_token as string | undefined;
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('secret token contains unallowed characters');
        this.webhook = { url, secret, allowedUpdates: p.allowed_updates as string[] | undefined };
        return true;
      }
      case 'deleteWebhook':
        this.webhook = undefined;
        if (p.drop_pending_updates) this.queue.length = 0;
        return true;
      case 'setMyCommands': {
        const commands = p.commands as { command: string; description: string }[];
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
          if (c.description.length < 1 || c.description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
        }
        this.commands.set(String(p.language_code ?? ''), commands);
        return true;
      }
      case 'sendMessage':
        return this.sendMessage(p);
      case 'sendPhoto':
        return this.sendPhoto(p);
      case 'editMessageText':
        return this.editMessageText(p);
      case 'answerCallbackQuery': {
        const id = String(p.callback_query_id ?? '');
        if (!this.openQueries.delete(id)) throw badRequest('query is too old and response timeout expired or query ID is invalid');
        if (typeof p.text === 'string' && p.text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
        return true;
      }
      default:
        throw new ApiError({ code: 404, description: 'Not Found' });
    }
  }

  private targetChat(p: Record<string, unknown>): Chat {
    const id = Number(p.chat_id);
    const chat = this.chats.get(id);
    if (!chat) throw badRequest('chat not found');
    if (this.blocked.has(id)) throw new ApiError({ code: 403, description: 'Forbidden: bot was blocked by the user' });
    return chat;
  }

  private parse(html: string, parseMode: unknown): { text: string; entities: string[] } {
    if (parseMode !== 'HTML') return { text: html, entities: [] };
    try {
      return parseTelegramHtml(html);
    } catch (error) {
      if (error instanceof HtmlParseError) throw badRequest(error.message);
      throw error;
    }
  }

  private checkMarkup(markup: unknown): InlineKeyboardMarkup | undefined {
    if (markup === undefined) return undefined;
    const m = markup as InlineKeyboardMarkup;
    for (const button of m.inline_keyboard.flat()) {
      if (!button.text) throw badRequest('text buttons are unallowed in the inline keyboard');
      const data = 'callback_data' in button ? button.callback_data : undefined;
      if (data !== undefined && (Buffer.byteLength(data) < 1 || Buffer.byteLength(data) > 64)) throw badRequest('BUTTON_DATA_INVALID');
    }
    return m;
  }

  private store(chat: Chat, fields: Partial<Message>, parsed: { text: string; entities: string[] }, markup?: InlineKeyboardMarkup): Message {
    const message = {
      message_id: this.nextMessageId++,
      from: this.bot,
      chat,
      date: now(),
      ...fields,
      ...(markup && markup.inline_keyboard.length > 0 ? { reply_markup: markup } : {}),
    } as Message;
    this.messages.set(`${chat.id}:${message.message_id}`, { message, parsed, markup: JSON.stringify(markup ?? null) });
    return message;
  }

  private sendMessage(p: Record<string, unknown>): Message {
    const chat = this.targetChat(p);
    const parsed = this.parse(String(p.text ?? ''), p.parse_mode);
    if (parsed.text.trim() === '') throw badRequest('message text is empty');
    if (parsed.text.length > MESSAGE_LIMIT) throw badRequest('message is too long');
    const markup = this.checkMarkup(p.reply_markup);
    return this.store(chat, { text: parsed.text }, parsed, markup);
  }

  private sendPhoto(p: Record<string, unknown>): Message {
    const chat = this.targetChat(p);
    const photo = typeof p.photo === 'string' && p.photo.startsWith('attach://') ? p[p.photo.slice('attach://'.length)] : p.photo;
    const size = photo instanceof Blob ? photo.size : typeof photo === 'string' ? 1 : 0;
    if (size === 0) throw badRequest('there is no photo in the request');
    const parsed = this.parse(String(p.caption ?? ''), p.parse_mode);
    if (parsed.text.length > CAPTION_LIMIT) throw badRequest('message caption is too long');
    const markup = this.checkMarkup(p.reply_markup);
    const id = randomBytes(6).toString('hex');
    const sizes = [320, 800].map((w) => ({ file_id: `AgAC-bot-${id}-${w}`, file_unique_id: `bot-${id}-${w}`, width: w, height: w / 2, file_size: size }));
    return this.store(chat, { photo: sizes, ...(parsed.text ? { caption: parsed.text } : {}) }, parsed, markup);
  }

  private editMessageText(p: Record<string, unknown>): Message {
    const chat = this.targetChat(p);
    const key = `${chat.id}:${Number(p.message_id)}`;
    const stored = this.messages.get(key);
    if (!stored || stored.message.from?.id !== this.bot.id) throw badRequest('message to edit not found');
    const parsed = this.parse(String(p.text ?? ''), p.parse_mode);
    if (parsed.text.trim() === '') throw badRequest('message text is empty');
    if (parsed.text.length > MESSAGE_LIMIT) throw badRequest('MESSAGE_TOO_LONG');
    const markup = this.checkMarkup(p.reply_markup);
    const markupKey = JSON.stringify(markup ?? null);
    if (stored.parsed.text === parsed.text && stored.parsed.entities.join() === parsed.entities.join() && stored.markup === markupKey) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    const { reply_markup: _dropped, ...rest } = stored.message as Message & { reply_markup?: unknown };
    const message = { ...rest, text: parsed.text, edit_date: now(), ...(markup && markup.inline_keyboard.length > 0 ? { reply_markup: markup } : {}) } as Message;
    this.messages.set(key, { message, parsed, markup: markupKey });
    return message;
  }

  private getUpdates(p: Record<string, unknown>, res: ServerResponse, call: ApiCall): void {
    if (this.webhook) {
      call.status = 409;
      return reply(res, 409, {
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Number(p.limit ?? 100) || 100);
    const timeout = Number(p.timeout ?? 0);
    // Asking for an offset confirms every update before it.
    if (offset > 0) {
      while (this.queue.length > 0 && this.queue[0]!.update_id < offset) this.queue.shift();
      this.confirmedOffset = Math.max(this.confirmedOffset, offset);
      for (const l of [...this.offsetListeners]) {
        if (l.updateId < offset) {
          this.offsetListeners.splice(this.offsetListeners.indexOf(l), 1);
          l.resolve();
        }
      }
    }
    // As on Telegram, a newer getUpdates terminates the one still waiting.
    if (this.waiter) {
      const old = this.waiter;
      this.waiter = undefined;
      clearTimeout(old.timer);
      const oldCall = [...this.calls].reverse().find((c) => c.method === 'getUpdates' && c !== call && c.status === 200);
      if (oldCall) oldCall.status = 409;
      reply(old.res, 409, {
        ok: false,
        error_code: 409,
        description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    const ready = this.queue.slice(0, limit);
    if (ready.length > 0 || timeout <= 0) return reply(res, 200, { ok: true, result: ready });
    const finish = (updates: Update[]) => {
      if (this.waiter?.res === res) this.waiter = undefined;
      reply(res, 200, { ok: true, result: updates });
    };
    const timer = setTimeout(() => finish([]), timeout * 1000);
    this.waiter = { res, finish: (u) => finish(u.slice(0, limit)), timer };
    res.on('close', () => {
      if (this.waiter?.res === res) {
        clearTimeout(timer);
        this.waiter = undefined;
      }
    });
  }

  private flushWaiter(): void {
    const waiter = this.waiter;
    if (!waiter || this.queue.length === 0) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.finish([...this.queue]);
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (body.length === 0) return {};
  if (type.startsWith('application/json')) return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(.+)$/.exec(type)?.[1];
    if (!boundary) return {};
    const params: Record<string, unknown> = {};
    for (const part of multipartParts(body, boundary)) {
      if (part.filename !== undefined) params[part.name] = new Blob([new Uint8Array(part.content)]);
      else {
        const value = part.content.toString('utf8');
        params[part.name] = /^[[{]/.test(value) ? JSON.parse(value) : value;
      }
    }
    return params;
  }
  return {};
}

/** A plain multipart/form-data reader (grammY writes headers without spaces, which undici's parser refuses). */
function multipartParts(body: Buffer, boundary: string): { name: string; filename?: string; content: Buffer }[] {
  const parts: { name: string; filename?: string; content: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const raw = body.subarray(start + delimiter.length + 2, next - 2);
    const split = raw.indexOf('\r\n\r\n');
    if (split >= 0) {
      const headers = raw.subarray(0, split).toString('utf8');
      const name = /name="([^"]+)"/i.exec(headers)?.[1];
      const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1];
      if (name) parts.push({ name, ...(filename !== undefined ? { filename } : {}), content: raw.subarray(split + 4) });
    }
    start = next;
  }
  return parts;
}
