// The one code path after the transport: WebSocket frames and verified webhook requests both arrive here (through
// the SDK's EventDispatcher), are translated to Inbound, handed to the core, and the Outcome is rendered back.
// Feishu wants an answer within 3 seconds: the core gets most of that; whatever it has not finished by then
// completes in the background and its replies follow as messages (a slow card click gets its card patched).
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { feishuText } from '../../i18n/sections/feishu.js';
import { inboundSchema, type Inbound } from '../inbound.js';
import { message as outMessage, type OutMessage } from '../message.js';
import { TemporaryFailure, type Outcome } from '../outcome.js';
import {
  CARD_ACTION_EVENT,
  CHAT_ENTERED_EVENT,
  MENU_EVENT,
  MESSAGE_EVENT,
  translateCardAction,
  translateChatEntered,
  translateMenuEvent,
  translateMessageEvent,
} from './events.js';
import { resolvedCard, type FeishuCard } from './render.js';
import type { FeishuSender } from './sender.js';

/** What the adapter needs of the core (BotCore satisfies it). */
export interface CoreHandler {
  handle(inbound: Inbound): Promise<Outcome>;
}

/** The answer to card.action.trigger: a toast and/or the card that replaces the clicked one. */
export interface CardActionResponse {
  toast?: { type: 'info' | 'success' | 'error' | 'warning'; content: string };
  card?: { type: 'raw'; data: FeishuCard };
}

export interface FeishuHandlerDeps {
  core: CoreHandler;
  sender: Pick<FeishuSender, 'send' | 'patchCard'>;
  logger: Logger;
  /** The user's language when nothing better is known (groups, unreadable messages). */
  locateUser(openId: string, hint: string | undefined): Promise<string>;
  /** What kind of chat this is (Feishu's chat_mode: p2p, group, topic); undefined when Feishu will not say. */
  chatMode(chatId: string): Promise<string | undefined>;
  /** When even that lookup is slow (the database is the likely reason the core is slow). */
  defaultLocale?: string;
  /** How long an event may wait for the core before Feishu gets its answer (Feishu allows 3 s). */
  answerWithinMs?: number;
}

type Settled<T> = { state: 'done'; value: T } | { state: 'failed'; error: unknown } | { state: 'pending' };

function within<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending' }), ms);
  });
  const settled = promise.then(
    (value): Settled<T> => ({ state: 'done', value }),
    (error: unknown): Settled<T> => ({ state: 'failed', error }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/** Each reply gets a uuid derived from the event: reprocessing the same event can never show a reply twice. */
function replyKey(eventId: string, index: number): string {
  return `r${index}-${createHash('sha256').update(eventId).digest('base64url').slice(0, 40)}`;
}

export class FeishuEventHandler {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly chatTails = new Map<string, Promise<void>>();
  private readonly answerWithinMs: number;
  /** Counted per transport-independent step, so tests can see both transports reach this one handler. */
  readonly handled = { messages: 0, cardActions: 0, menu: 0 };

  constructor(private readonly deps: FeishuHandlerDeps) {
    this.answerWithinMs = deps.answerWithinMs ?? 2500;
  }

  /** The single entry point: the event type decides the translation; everything after is shared. */
  async handle(data: Record<string, unknown>): Promise<CardActionResponse | undefined> {
    const type = typeof data.event_type === 'string' ? data.event_type : undefined;
    if (type === MESSAGE_EVENT) {
      await this.onMessage(data);
      return undefined;
    }
    if (type === CARD_ACTION_EVENT) return this.onCardAction(data);
    if (type === MENU_EVENT || type === CHAT_ENTERED_EVENT) {
      const inbound = type === MENU_EVENT ? translateMenuEvent(data) : translateChatEntered(data);
      if (inbound) {
        this.handled.menu += 1;
        await this.run(inbound);
      }
      return undefined;
    }
    this.deps.logger.debug({ type }, 'feishu event ignored');
    return undefined;
  }

  /** Waits for background work (replies still being sent) — on shutdown and in tests. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async onMessage(data: Record<string, unknown>): Promise<void> {
    const t = translateMessageEvent(data);
    if (t.kind === 'ignore') {
      this.deps.logger.debug({ reason: t.reason }, 'feishu message ignored');
      return;
    }
    this.handled.messages += 1;
    if (t.kind === 'unsupported') {
      const locale = await this.locale(t.userId, t.languageHint);
      this.background(this.sendAll(t.chatId, t.eventId, [outMessage(feishuText(locale, 'feishu.unsupported'))]));
      return;
    }
    await this.run(t.inbound);
  }

  /** Core, then replies. A temporary failure inside the window is thrown so the transport asks for a redelivery. */
  private async run(inbound: Inbound): Promise<void> {
    // Checked here too: an event the core would refuse must be dropped, not redelivered by Feishu again and again.
    if (!inboundSchema.safeParse(inbound).success) {
      this.deps.logger.warn({ event: inbound.event.kind }, 'feishu event does not make a valid inbound; dropped');
      return;
    }
    const work = this.deps.core.handle(inbound);
    const result = await within(work, this.answerWithinMs);
    if (result.state === 'failed') throw result.error;
    if (result.state === 'done') {
      if (!result.value.duplicate) this.background(this.sendAll(inbound.chatId, inbound.id, result.value.replies));
      return;
    }
    this.background(
      work.then(
        (outcome) => (outcome.duplicate ? undefined : this.sendAll(inbound.chatId, inbound.id, outcome.replies)),
        (error: unknown) => this.lateFailure(inbound, error),
      ),
    );
  }

  private async onCardAction(data: Record<string, unknown>): Promise<CardActionResponse> {
    const t = translateCardAction(data);
    if (!t || !inboundSchema.safeParse(t.inbound).success) {
      const locale = await this.locale(String((data.operator as { open_id?: unknown } | undefined)?.open_id ?? ''), undefined);
      return { toast: { type: 'warning', content: feishuText(locale, 'feishu.cardInvalid') } };
    }
    this.handled.cardActions += 1;
    const { messageId, cardChatId } = t;
    // The group refusal applies from the chat the card was really pressed in: only a chat Feishu confirms to be a
    // private one (p2p) counts as private; a card without a chat, or a chat Feishu will not describe, does not.
    // The lookup counts against the same 3-second window as the core: a slow Feishu makes the answer late, never the
    // card's response.
    const inbound: Inbound = t.inbound;
    const work = (cardChatId ? this.deps.chatMode(cardChatId) : Promise.resolve(undefined)).then((mode) =>
      this.deps.core.handle({ ...inbound, chatType: mode === 'p2p' ? 'private' : 'group' }),
    );
    const result = await within(work, this.answerWithinMs);
    if (result.state === 'failed') {
      if (result.error instanceof TemporaryFailure) return { toast: { type: 'error', content: result.error.retryText } };
      this.deps.logger.error({ err: result.error }, 'feishu card action failed');
      const locale = await this.locale(inbound.userId, undefined);
      return { toast: { type: 'error', content: feishuText(locale, 'feishu.tryAgain') } };
    }
    if (result.state === 'pending') {
      this.background(
        work.then(
          async (outcome) => {
            if (outcome.duplicate) return;
            if (outcome.resolved && messageId) await this.deps.sender.patchCard(messageId, resolvedCard(outcome.resolved));
            await this.sendAll(inbound.chatId, inbound.id, outcome.replies);
          },
          (error: unknown) => this.lateFailure(inbound, error),
        ),
      );
      const locale = await this.locale(inbound.userId, undefined);
      return { toast: { type: 'info', content: feishuText(locale, 'feishu.working') } };
    }
    const outcome = result.value;
    if (outcome.duplicate) return {};
    this.background(this.sendAll(inbound.chatId, inbound.id, outcome.replies));
    const response: CardActionResponse = {};
    if (outcome.toast) response.toast = { type: 'info', content: outcome.toast };
    if (outcome.resolved) response.card = { type: 'raw', data: resolvedCard(outcome.resolved) };
    return response;
  }

  private async lateFailure(inbound: Inbound, error: unknown): Promise<void> {
    // Already acknowledged to Feishu, so there will be no redelivery: tell the user to try again.
    this.deps.logger.error({ err: error }, 'feishu event failed after the answer window');
    const text =
      error instanceof TemporaryFailure ? error.retryText : feishuText(await this.locale(inbound.userId, inbound.languageHint), 'feishu.tryAgain');
    await this.sendAll(inbound.chatId, `${inbound.id}:failed`, [outMessage(text)]);
  }

  /**
   * Replies in order, and after whatever is still being sent to the same chat, so answers to quick successive
   * messages never overtake each other.
   */
  private sendAll(chatId: string, eventId: string, replies: OutMessage[]): Promise<void> {
    const previous = this.chatTails.get(chatId) ?? Promise.resolve();
    const sent = previous.then(() => this.sendNow(chatId, eventId, replies));
    const tail = sent.catch(() => undefined);
    this.chatTails.set(chatId, tail);
    void tail.then(() => {
      if (this.chatTails.get(chatId) === tail) this.chatTails.delete(chatId);
    });
    return sent;
  }

  /** A failed send is logged and the rest still go (each is idempotent by its uuid). */
  private async sendNow(chatId: string, eventId: string, replies: OutMessage[]): Promise<void> {
    for (const [i, reply] of replies.entries()) {
      const result = await this.deps.sender.send(chatId, reply, replyKey(eventId, i));
      if (!result.ok) this.deps.logger.warn({ error: result.error }, 'feishu reply not delivered');
    }
  }

  /** The user's language for the adapter's own texts, without spending the answer window on it. */
  private async locale(openId: string, hint: string | undefined): Promise<string> {
    const found = await within(this.deps.locateUser(openId, hint), 300);
    return found.state === 'done' ? found.value : (hint ?? this.deps.defaultLocale ?? 'zh-CN');
  }

  private background(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.deps.logger.error({ err: error }, 'feishu background work failed'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
