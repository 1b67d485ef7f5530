// A faithful stand-in for the Feishu open platform on loopback: tenant tokens, message send (with `uuid`
// idempotency), card patch, image upload, the long-connection endpoint and its protobuf WebSocket, and events
// signed and encrypted exactly the way Feishu sends them.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { encryptLark, larkSignature } from '../../src/bot/feishu/crypto.js';
import { decodeFrame, encodeFrame, frameHeader } from './frames.js';

export const APP_ID = 'cli_a1b2c3d4e5f60718';
export const APP_SECRET = 'fake-app-secret';
export const ENCRYPT_KEY = 'fake-encrypt-key-0123456789';
export const VERIFICATION_TOKEN = 'fake-verification-token';

export interface SentMessage {
  messageId: string;
  receiveId: string;
  receiveIdType: string;
  msgType: string;
  content: Record<string, unknown>;
  uuid?: string;
  /** Set when a card was replaced (by a click's answer or a patch). */
  updatedCard?: Record<string, unknown>;
}

interface InjectedFailure {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class FakeFeishu {
  url = '';
  readonly messages: SentMessage[] = [];
  readonly patches: { messageId: string; content: Record<string, unknown> }[] = [];
  readonly images: string[] = [];
  createCalls = 0;
  tokensIssued = 0;
  tokenTtlSeconds = 7200;
  wsEndpointCalls = 0;
  /** The long-connection endpoint answers "system busy" (retryable) while this is set. */
  endpointBusy = false;
  /** How often the client is told to ping. */
  pingIntervalSeconds = 120;
  /** A half-dead connection: open at the TCP level, but nothing answers the client's pings. */
  silent = false;
  /** Answers for the next message sends, instead of success. */
  readonly failNextSends: InjectedFailure[] = [];
  /** Answers for the next card patches, instead of success (a card too old to update, a message recalled). */
  readonly failNextPatches: InjectedFailure[] = [];
  /** Chats the bot has left / users who blocked it: sends answer 230002. */
  readonly unreachable = new Set<string>();
  /** Milliseconds each message send takes (a slow network). */
  sendDelayMs = 0;

  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly tokens = new Map<string, number>();
  private readonly byUuid = new Map<string, SentMessage>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiting = new Map<string, (answer: { code: number; data?: unknown }) => void>();
  private seq = 0;
  /** Whose private chat each chat id is (learned from the messages users send). */
  private readonly chatOwners = new Map<string, string>();
  /** Each known chat's chat_mode as GET /im/v1/chats/:id reports it: p2p, or group for the groups the bot is in. */
  private readonly chatModes = new Map<string, 'p2p' | 'group'>();
  /** Calls of GET /im/v1/chats/:id, per chat. */
  readonly chatLookups: string[] = [];
  /** How long GET /im/v1/chats/:id takes to answer (a slow open platform). */
  chatLookupDelayMs = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/ws')) return socket.destroy();
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get connectedSockets(): number {
    return [...this.sockets].filter((s) => s.readyState === s.OPEN).length;
  }

  /** Messages shown in one chat, in order: a send to a user's open_id lands in that user's private chat with the bot. */
  chat(chatId: string): SentMessage[] {
    const owner = this.chatModes.get(chatId) === 'p2p' ? this.chatOwners.get(chatId) : undefined;
    return this.messages.filter((m) => m.receiveId === chatId || (owner !== undefined && m.receiveId === owner));
  }

  /** A group chat the bot is a member of (cards can be forwarded into it and pressed there). */
  group(chatId: string): void {
    this.chatModes.set(chatId, 'group');
  }

  /** The private chat between the bot and a user, as the platform names it. */
  private p2pChatOf(openId: string): string {
    for (const [chatId, owner] of this.chatOwners) if (owner === openId && this.chatModes.get(chatId) === 'p2p') return chatId;
    const chatId = `oc_p2p_${openId}`;
    this.chatOwners.set(chatId, openId);
    this.chatModes.set(chatId, 'p2p');
    return chatId;
  }

  // ---- HTTP API ----

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const body = () => JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;

    if (req.method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      const b = body();
      if (b.app_id !== APP_ID || b.app_secret !== APP_SECRET) return reply(200, { code: 10014, msg: 'app secret invalid' });
      const token = `t-${randomBytes(8).toString('hex')}`;
      this.tokens.set(token, Date.now() + this.tokenTtlSeconds * 1000);
      this.tokensIssued += 1;
      return reply(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: this.tokenTtlSeconds });
    }
    if (req.method === 'POST' && url.pathname === '/callback/ws/endpoint') {
      this.wsEndpointCalls += 1;
      const b = body();
      if (b.AppID !== APP_ID || b.AppSecret !== APP_SECRET) return reply(200, { code: 514, msg: 'auth failed', data: {} });
      if (this.endpointBusy) return reply(200, { code: 1000040343, msg: 'system busy', data: {} });
      const wsUrl = `${this.url.replace('http', 'ws')}/ws?device_id=dev-1&service_id=7`;
      return reply(200, {
        code: 0,
        msg: 'ok',
        data: { URL: wsUrl, ClientConfig: { PingInterval: this.pingIntervalSeconds, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 } },
      });
    }

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expires = auth ? this.tokens.get(auth) : undefined;
    if (expires === undefined || expires < Date.now()) return reply(400, { code: 99991663, msg: 'Invalid access token for authorization' });

    if (req.method === 'POST' && url.pathname === '/open-apis/im/v1/images') {
      if (!String(req.headers['content-type']).startsWith('multipart/form-data') || raw.length < 10) {
        return reply(400, { code: 234001, msg: 'invalid image' });
      }
      const key = `img_v3_${randomBytes(6).toString('hex')}`;
      this.images.push(key);
      return reply(200, { code: 0, msg: 'success', data: { image_key: key } });
    }
    if (req.method === 'POST' && url.pathname === '/open-apis/im/v1/messages') {
      this.createCalls += 1;
      if (this.sendDelayMs > 0) await new Promise((r) => setTimeout(r, this.sendDelayMs));
      const injected = this.failNextSends.shift();
      if (injected) return reply(injected.status, injected.body, injected.headers);
      const b = body();
      const receiveIdType = url.searchParams.get('receive_id_type') ?? '';
      if (!['chat_id', 'open_id'].includes(receiveIdType)) return reply(400, { code: 230001, msg: 'invalid receive_id_type' });
      const receiveId = String(b.receive_id ?? '');
      if (this.unreachable.has(receiveId)) return reply(400, { code: 230002, msg: 'Bot/User can NOT be out of the chat.' });
      const uuid = typeof b.uuid === 'string' ? b.uuid : undefined;
      if (uuid && uuid.length > 50) return reply(400, { code: 230001, msg: 'uuid too long' });
      const existing = uuid ? this.byUuid.get(uuid) : undefined;
      if (existing) return reply(200, { code: 0, msg: 'success', data: { message_id: existing.messageId } });
      const content = JSON.parse(String(b.content)) as Record<string, unknown>;
      if (b.msg_type !== 'text' && Buffer.byteLength(String(b.content)) > 30 * 1024) return reply(400, { code: 230025, msg: 'message content too long' });
      const message: SentMessage = {
        messageId: `om_${randomBytes(12).toString('hex')}`,
        receiveId,
        receiveIdType,
        msgType: String(b.msg_type),
        content,
        uuid,
      };
      this.messages.push(message);
      if (uuid) this.byUuid.set(uuid, message);
      return reply(200, { code: 0, msg: 'success', data: { message_id: message.messageId, chat_id: receiveId, msg_type: b.msg_type } });
    }
    const chatInfo = /^\/open-apis\/im\/v1\/chats\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && chatInfo) {
      const chatId = decodeURIComponent(chatInfo[1]!);
      this.chatLookups.push(chatId);
      if (this.chatLookupDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.chatLookupDelayMs));
      const mode = this.chatModes.get(chatId);
      // As Feishu: a chat the bot is not in (or that does not exist) is not described.
      if (!mode) return reply(400, { code: 232011, msg: 'The bot is not in the chat.' });
      return reply(200, { code: 0, msg: 'success', data: { chat_mode: mode, chat_type: 'private', name: mode === 'group' ? '工作群' : '', owner_id: this.chatOwners.get(chatId) ?? '' } });
    }
    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PATCH' && patch) {
      const injected = this.failNextPatches.shift();
      if (injected) return reply(injected.status, injected.body, injected.headers);
      const target = this.messages.find((m) => m.messageId === patch[1]);
      if (!target || target.msgType !== 'interactive') return reply(400, { code: 230001, msg: 'not a card' });
      const content = JSON.parse(String(body().content)) as Record<string, unknown>;
      // Feishu updates a card for everyone only when both the card sent and its replacement are shared cards.
      const shared = (card: Record<string, unknown>) => (card.config as { update_multi?: boolean } | undefined)?.update_multi === true;
      if (!shared(target.updatedCard ?? target.content) || !shared(content)) return reply(400, { code: 230099, msg: 'card is not update_multi' });
      target.updatedCard = content;
      this.patches.push({ messageId: target.messageId, content });
      return reply(200, { code: 0, msg: 'success', data: {} });
    }
    reply(404, { code: 404, msg: `no such API: ${req.method} ${url.pathname}` });
  }

  // ---- events pushed to the app ----

  messageEvent(o: {
    openId: string;
    chatId: string;
    chatType?: 'p2p' | 'group';
    type?: string;
    content: Record<string, unknown>;
    eventId?: string;
    userAgent?: string;
    mentions?: { key: string; name: string }[];
  }): Record<string, unknown> {
    if ((o.chatType ?? 'p2p') === 'p2p') this.chatOwners.set(o.chatId, o.openId);
    this.chatModes.set(o.chatId, o.chatType ?? 'p2p');
    return {
      schema: '2.0',
      header: {
        event_id: o.eventId ?? randomBytes(16).toString('hex'),
        event_type: 'im.message.receive_v1',
        create_time: String(Date.now()),
        token: VERIFICATION_TOKEN,
        app_id: APP_ID,
        tenant_key: 'tenant-1',
      },
      event: {
        sender: { sender_id: { open_id: o.openId, union_id: `on_${o.openId}`, user_id: 'u1' }, sender_type: 'user', tenant_key: 'tenant-1' },
        message: {
          message_id: `om_${randomBytes(12).toString('hex')}`,
          create_time: String(Date.now()),
          chat_id: o.chatId,
          chat_type: o.chatType ?? 'p2p',
          message_type: o.type ?? 'text',
          content: JSON.stringify(o.content),
          mentions: o.mentions?.map((m) => ({ key: m.key, id: { open_id: 'ou_bot' }, name: m.name, tenant_key: 'tenant-1' })),
          user_agent: o.userAgent,
        },
      },
    };
  }

  cardActionEvent(o: { openId: string; chatId: string; messageId: string; value: unknown; eventId?: string }): Record<string, unknown> {
    return {
      schema: '2.0',
      header: {
        event_id: o.eventId ?? randomBytes(16).toString('hex'),
        event_type: 'card.action.trigger',
        create_time: String(Date.now() * 1000),
        token: VERIFICATION_TOKEN,
        app_id: APP_ID,
        tenant_key: 'tenant-1',
      },
      event: {
        operator: { tenant_key: 'tenant-1', open_id: o.openId, union_id: `on_${o.openId}`, user_id: 'u1' },
        token: `c-${randomUUID()}`,
        action: { value: o.value, tag: 'button' },
        host: 'im_message',
        context: { open_message_id: o.messageId, open_chat_id: o.chatId },
      },
    };
  }

  /** POSTs an event the way Feishu does: encrypted body, X-Lark-* headers signed over the exact bytes sent. */
  async sendWebhook(
    appUrl: string,
    payload: Record<string, unknown>,
    o: { forgeSignature?: boolean; timestampOffsetSeconds?: number; unsigned?: boolean; encryptKey?: string; plaintext?: boolean } = {},
  ): Promise<WebhookAnswer> {
    const body = o.plaintext ? JSON.stringify(payload) : JSON.stringify({ encrypt: encryptLark(JSON.stringify(payload), o.encryptKey ?? ENCRYPT_KEY) });
    const timestamp = String(Math.floor(Date.now() / 1000) + (o.timestampOffsetSeconds ?? 0));
    const nonce = randomBytes(8).toString('hex');
    let signature = larkSignature(timestamp, nonce, ENCRYPT_KEY, body);
    if (o.forgeSignature) signature = larkSignature(timestamp, nonce, 'not-the-key', body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!o.unsigned) Object.assign(headers, { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature });
    const res = await fetch(appUrl, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** The user taps a button of a card: the callback goes out, and the card shown becomes what the app answered. */
  async click(
    appUrl: string,
    card: SentMessage,
    label: string,
    o: { openId?: string; transport?: 'webhook' | 'ws'; eventId?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const button = cardButtons(card).find((b) => b.label === label);
    if (!button) throw new Error(`no button "${label}" on the card; buttons: ${cardButtons(card).map((b) => b.label).join(', ')}`);
    // A card sent to an open_id sits in that user's private chat: the callback names that chat, as Feishu's does.
    const chatId = card.receiveIdType === 'open_id' ? this.p2pChatOf(card.receiveId) : card.receiveId;
    const event = this.cardActionEvent({ openId: o.openId ?? this.chatOwners.get(chatId) ?? card.receiveId, chatId, messageId: card.messageId, value: button.value, eventId: o.eventId });
    const answer = o.transport === 'ws' ? await this.pushWs(event).then((a) => ({ status: a.code, body: (a.data ?? {}) as Record<string, unknown> })) : await this.sendWebhook(appUrl, event);
    const newCard = (answer.body.card as { type?: string; data?: Record<string, unknown> } | undefined)?.data;
    if (answer.status === 200 && newCard) card.updatedCard = newCard;
    return answer;
  }

  // ---- the long connection ----

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data));
      const type = frameHeader(frame, 'type');
      if (frame.method === 0 && type === 'ping') {
        if (this.silent) return;
        const pong = new TextEncoder().encode(
          JSON.stringify({ PingInterval: this.pingIntervalSeconds, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 }),
        );
        ws.send(encodeFrame({ SeqID: 0, LogID: 0, service: frame.service, method: 0, headers: [{ key: 'type', value: 'pong' }], payload: pong }));
        return;
      }
      if (frame.method === 1) {
        const id = frameHeader(frame, 'message_id') ?? '';
        const answer = JSON.parse(new TextDecoder().decode(frame.payload ?? new Uint8Array())) as { code: number; data?: string };
        this.waiting.get(id)?.({ code: answer.code, data: answer.data ? JSON.parse(Buffer.from(answer.data, 'base64').toString('utf8')) : undefined });
        this.waiting.delete(id);
      }
    });
  }

  /** Pushes an event over the long connection (as data frames, split in two to exercise reassembly). */
  pushWs(payload: Record<string, unknown>, timeoutMs = 10_000): Promise<{ code: number; data?: unknown }> {
    const socket = [...this.sockets].find((s) => s.readyState === s.OPEN);
    if (!socket) return Promise.reject(new Error('no long connection open'));
    const messageId = `msg-${++this.seq}`;
    const bytes = new TextEncoder().encode(JSON.stringify(payload));
    const half = Math.ceil(bytes.length / 2);
    const parts = [bytes.subarray(0, half), bytes.subarray(half)];
    const answer = new Promise<{ code: number; data?: unknown }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer over the long connection')), timeoutMs);
      this.waiting.set(messageId, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
    parts.forEach((part, seq) =>
      socket.send(
        encodeFrame({
          SeqID: this.seq,
          LogID: this.seq,
          service: 7,
          method: 1,
          headers: [
            { key: 'type', value: 'event' },
            { key: 'message_id', value: messageId },
            { key: 'sum', value: String(parts.length) },
            { key: 'seq', value: String(seq) },
            { key: 'trace_id', value: `trace-${this.seq}` },
          ],
          payload: part,
        }),
      ),
    );
    return answer;
  }

  /** Cuts every long connection, as a network failure would. */
  dropConnections(): void {
    for (const s of this.sockets) s.terminate();
  }
}

// ---- what a user sees ----

/** Decodes lark_md the way the Feishu client shows it: entities become characters, `**x**` becomes bold. */
export function decodeLarkMd(md: string): { text: string; bold: string[]; unescaped: string[] } {
  const bold: string[] = [];
  const withoutBold = md.replace(/\*\*([^*]*)\*\*/g, (_, inner: string) => {
    bold.push(decodeEntities(inner));
    return inner;
  });
  // Anything markdown would still interpret after our own bold markers were taken out.
  const unescaped = withoutBold.replace(/&#\d+;/g, '').match(/[*_~[\]()<>`#|\\]/g) ?? [];
  return { text: decodeEntities(withoutBold), bold, unescaped };
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

/** The card as currently shown (after any update), or the post, as plain text. */
export function visibleText(message: SentMessage): string {
  if (message.msgType === 'post') {
    const post = (message.content as { zh_cn: { content: { text: string }[][] } }).zh_cn;
    return post.content.map((line) => line.map((e) => e.text).join('')).join('\n');
  }
  const card = (message.updatedCard ?? message.content) as { elements: { tag: string; text?: { content: string } }[] };
  return card.elements
    .filter((e) => e.tag === 'div' && e.text)
    .map((e) => decodeLarkMd(e.text!.content).text)
    .join('\n');
}

export function cardButtons(message: SentMessage): { label: string; value: unknown }[] {
  if (message.msgType !== 'interactive') return [];
  const card = (message.updatedCard ?? message.content) as { elements: { tag: string; actions?: { tag: string; text?: { content: string }; value: unknown }[] }[] };
  return card.elements
    .filter((e) => e.tag === 'action')
    .flatMap((e) => (e.actions ?? []).filter((a) => a.tag === 'button').map((a) => ({ label: a.text!.content, value: a.value })));
}
