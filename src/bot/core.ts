// The channel-neutral core: every adapter hands it an Inbound and renders the Outcome. It records the inbound id
// in the same transaction as the effects (a redelivery changes nothing), resolves who is speaking, and hands the
// action to onboarding, a command, a registered button action, or the flow runtime.
import type { Logger } from 'pino';
import { actorForStaff, type Actor } from '../db/actor.js';
import { resolveInScope, type ChildListItem } from '../db/children.js';
import type { Db, Tx } from '../db/client.js';
import type { SendClosing } from '../db/closing.js';
import { inboundReadQuery, parseInboundRead, type Draft, type InboundRead } from '../db/inboundRead.js';
import { redeemInvite } from '../db/invites.js';
import { policyCacheFor, type PolicyCache } from '../db/policyCache.js';
import { guardedUpdate, type KnownState } from '../db/updateGuard.js';
import { ConversationConflict } from '../db/draftWrites.js';
import { canGuard, GuardTripped, inGuardedUpdateTransaction, inUpdateTransaction, type UpdateTransaction } from '../db/updateTransaction.js';
import type { Config } from '../config.js';
import { todayIn } from '../domain/dates.js';
import { FlowRuntime, type Conversation, type Turn } from '../flows/runtime.js';
import { ChildOutOfScope } from '../flows/childInfo.js';
import { DraftStore } from '../flows/draftStore.js';
import type { Flow, FlowContext } from '../flows/types.js';
import { coreText } from '../i18n/core.js';
import { resolveLocale, type Locale } from '../i18n/translator.js';
import { inboundSchema, type Inbound, type ParsedInbound } from './inbound.js';
import { message, plain } from './message.js';
import type { Outcome } from './outcome.js';
import { TemporaryFailure } from './outcome.js';
import { KnownUsers, stateAfter, stillOffered, updateMemo } from './knownUsers.js';
import { PerKeyQueue, RateLimiter } from './perUserGate.js';
import { isDatabaseUnavailable } from './temporary.js';
import { menuMessage, parseCommand } from './commands.js';

export interface ActionContext extends FlowContext {
  runtime: FlowRuntime;
  /** The actor's draft, if any (locked for this transaction). */
  conversation: Conversation | undefined;
}

/** Handles button data with a given prefix (`r.ack.`, `a.`, `rm.` …); re-checks everything it is told. */
export type ActionHandler = (ctx: ActionContext, data: string) => Promise<Turn>;

/** Runs in the transaction that binds a person to their account (the scheduler queues what is due for them today). */
export type BoundHook = (tx: Tx, staffId: number, now: Date) => Promise<void>;

export interface CoreOptions {
  db: Db;
  config: Config;
  logger: Logger;
  flows: Map<string, Flow>;
  clock?: () => Date;
  /** Per-user flood control: `burst` actions at once, refilled at `perSecond` (default 20 and 5). */
  rateLimit?: { burst: number; perSecond: number };
}

export class BotCore {
  readonly runtime: FlowRuntime;
  private readonly actions = new Map<string, ActionHandler>();
  private readonly boundHooks: BoundHook[] = [];
  private readonly queue = new PerKeyQueue();
  private readonly limiter: RateLimiter;
  private readonly clock: () => Date;
  private readonly policy: PolicyCache;
  /**
   * How updates went: computed from known state (`guarded`), of those whose guard and writes went as one statement
   * (`alone`), that sent a read on its own ahead of the guard (`readAhead`: a caseload page) and redone because the
   * guard refused (`tripped`); read first (`read`).
   */
  readonly updates = { guarded: 0, alone: 0, readAhead: 0, tripped: 0, read: 0 };
  /** Only where updates can be guarded (postgres.js): PGlite, in process, has no round trip to save. */
  private readonly known: KnownUsers | undefined;

  constructor(private readonly options: CoreOptions) {
    this.runtime = new FlowRuntime(options.flows);
    this.policy = policyCacheFor(options.db);
    this.known = canGuard(options.db) ? new KnownUsers() : undefined;
    this.clock = options.clock ?? (() => new Date());
    this.limiter = new RateLimiter(options.rateLimit?.burst ?? 20, options.rateLimit?.perSecond ?? 5);
    this.onAction('m.', (ctx, data) => this.menuAction(ctx, data.slice(2)));
    this.onAction('v.start.', (ctx, data) => this.startAbout(ctx, 'visit', data.slice(8)));
    // A reminder's 记录: the visit is due today, so its date starts as today (shown in the summary, editable there).
    this.onAction('v.due.', (ctx, data) => this.startAbout(ctx, 'visit', data.slice(6), { date: ctx.today }));
    this.onAction('r.start.', (ctx, data) => this.startAbout(ctx, 'report', data.slice(8)));
  }

  onAction(prefix: string, handler: ActionHandler): void {
    this.actions.set(prefix, handler);
  }

  onBound(hook: BoundHook): void {
    this.boundHooks.push(hook);
  }

  get defaultLocale(): Locale {
    return this.options.config.DEFAULT_LOCALE;
  }

  async handle(raw: Inbound): Promise<Outcome> {
    const inbound = inboundSchema.parse(raw);
    const userKey = `${inbound.channel}:${inbound.userId}`;
    const hintLocale = resolveLocale(inbound.languageHint, this.defaultLocale);
    if (!this.limiter.take(userKey, Date.now())) {
      return { replies: [message(coreText(hintLocale, 'core.tooFast'))], locale: hintLocale, toast: coreText(hintLocale, 'core.tooFast') };
    }
    return this.queue.run(userKey, () => this.process(inbound, hintLocale));
  }

  /**
   * One inbound update, one transaction. Known user (this instance handled their last update): the step is computed
   * from that state and sent with its guard in ONE round trip — one statement when all it writes is the draft (two
   * round trips when the step reads); the guard finding anything changed rolls it all back, and the update is done the
   * ordinary way. Ordinary
   * way, two round trips on PostgreSQL: the first statement records the update id, loads the actor and locks their
   * draft (pipelined with `begin`); the step runs here; the draft's new state and every deferred write go with
   * `commit`. Either way the update id commits with its effects or not at all.
   */
  private async process(inbound: ParsedInbound, hintLocale: Locale): Promise<Outcome> {
    const shown = { locale: hintLocale };
    const now = this.clock();
    const user = `${inbound.channel}:${inbound.userId}`;
    const key = `${inbound.channel}:${inbound.id}`;
    const { db } = this.options;
    // The state an update leaves is kept for the user's next one (where updates can be guarded).
    const remembering = async (run: (next: { state?: KnownState }) => Promise<Outcome>) => {
      const next: { state?: KnownState } = {};
      const outcome = await run(next);
      if (next.state) this.known?.put(user, next.state);
      return outcome;
    };
    try {
      const known = this.known?.take(user);
      if (known) {
        this.updates.guarded++;
        const guarded = guardedUpdate(key, now, inbound.channel, inbound.userId, known);
        try {
          const memo = updateMemo(known.child, stillOffered(known, now), (row) => guarded.adopt(row));
          const outcome = await remembering((next) => inGuardedUpdateTransaction(db, guarded, (t) => this.apply(t, inbound, { fresh: true, ...known }, now, shown, next, memo)));
          if (guarded.alone) this.updates.alone++;
          return outcome;
        } catch (error) {
          if (!(error instanceof GuardTripped)) throw error;
          this.updates.tripped++;
        } finally {
          if (guarded.readsAhead) this.updates.readAhead++;
        }
      }
      this.updates.read++;
      const first = inboundReadQuery(key, now, inbound.channel, inbound.userId);
      return await remembering((next) => inUpdateTransaction(db, first, (t) => this.apply(t, inbound, parseInboundRead(t.first), now, shown, next)));
    } catch (error) {
      const { locale } = shown;
      if (isDatabaseUnavailable(error)) throw new TemporaryFailure(coreText(locale, 'core.retryLater'), { cause: error });
      if (error instanceof ConversationConflict) return { replies: [message(coreText(locale, 'core.busy'))], locale };
      if (error instanceof ChildOutOfScope) {
        // The rollback took the refusal's audit row with it: it is written again, on its own.
        await error.recordRefusal(this.options.db).catch((failure: unknown) => this.options.logger.error({ err: failure }, 'recording a refusal failed'));
        return { replies: [message(coreText(locale, 'child.notYours'))], locale };
      }
      this.options.logger.error({ err: error, channel: inbound.channel, inbound: inbound.id }, 'handling an inbound message failed');
      return { replies: [message(coreText(locale, 'core.retryLater'))], locale };
    }
  }

  /** The update's work once the state it starts from is in hand (read, or known); `next` receives the state it leaves. */
  private async apply(
    { tx, later, drafts: writeDrafts, close }: UpdateTransaction,
    inbound: ParsedInbound,
    { fresh, actor, draft, child, stamps }: InboundRead,
    now: Date,
    shown: { locale: Locale },
    next: { state?: KnownState },
    memo = updateMemo(child),
  ): Promise<Outcome> {
    if (!fresh) return { replies: [], locale: shown.locale, duplicate: true };
    if (actor) shown.locale = resolveLocale(actor.locale ?? inbound.languageHint, this.defaultLocale);
    const { locale } = shown;
    // Children's data stays in private chats: nothing runs in a group, whoever asks.
    if (inbound.chatType === 'group') return { replies: [message(coreText(locale, 'core.groupRefused'))], locale };
    if (!actor || !stamps) return { ...(await this.onboard(tx, inbound, now, locale)), locale };
    const drafts = new DraftStore(now, draft);
    writeDrafts(() => drafts.writes());
    // The children a page offers are kept only where the next update can take one unread (a guarded update).
    const offered: ChildListItem[] = [];
    const offer = this.known ? (items: readonly ChildListItem[]) => void offered.splice(0, offered.length, ...items) : undefined;
    const turn = await this.act({ tx, inbound, actor, locale, now, drafts, memo, later, close, offer });
    if (this.known) next.state = await stateAfter(actor, stamps, drafts.active(), memo, offered, now);
    return { replies: turn.replies, resolved: turn.resolved, toast: turn.toast, locale };
  }

  private async act(update: {
    tx: Tx;
    inbound: ParsedInbound;
    actor: Actor;
    locale: Locale;
    now: Date;
    drafts: DraftStore;
    /** The update's reads, seeded with the draft's child when it came with the state (or answering for an offered one). */
    memo: Map<string, Promise<unknown>>;
    later: (write: () => Promise<unknown>) => void;
    close: SendClosing;
    offer: ((children: readonly ChildListItem[]) => void) | undefined;
  }): Promise<Turn> {
    const { tx, inbound, actor, locale, now, drafts, memo, later, close, offer } = update;
    const ctx: FlowContext = {
      tx,
      actor,
      locale,
      channel: inbound.channel,
      chatId: inbound.chatId,
      now,
      today: todayIn(this.options.config.TZ_NAME, now),
      config: this.options.config,
      drafts,
      visitPolicy: () => this.policy.read(tx),
      // The draft's child came with the state, read in scope, or is one the last page offered (checked by the guard):
      // the flow's lookups of it are answered from here.
      memo,
      later,
      close,
      ...(offer ? { offer } : {}),
    };
    let conversation: Draft | undefined = this.runtime.activeConversation(ctx);
    const before = [];
    if (conversation) {
      const expired = await this.runtime.expireIfStale(ctx, conversation);
      if (expired) {
        before.push(expired);
        conversation = undefined;
      }
    }
    const turn = await this.dispatch({ ...ctx, runtime: this.runtime, conversation }, inbound.event);
    // After a form is saved or discarded the menu comes next, so the next step is a tap, not typing.
    const after = turn.ended ? [await menuMessage({ ...ctx, conversation: undefined }, this.runtime)] : [];
    return { ...turn, replies: [...before, ...turn.replies, ...after] };
  }

  private async dispatch(ctx: ActionContext, event: ParsedInbound['event']): Promise<Turn> {
    const { runtime, conversation: conv } = ctx;
    switch (event.kind) {
      case 'button': {
        if (event.data.startsWith('q.')) return runtime.press(ctx, conv, event.data);
        for (const [prefix, handler] of this.actions) if (event.data.startsWith(prefix)) return handler(ctx, event.data);
        return { replies: [], toast: coreText(ctx.locale, 'button.unknown') };
      }
      case 'text': {
        const command = parseCommand(event.text);
        if (command) return this.command(ctx, command.name, command.argument);
        if (conv) return runtime.input(ctx, conv, { text: event.text });
        return { replies: [await menuMessage(ctx, this.runtime)] };
      }
      case 'location':
        if (conv) return runtime.input(ctx, conv, { kind: 'location', latitude: event.latitude, longitude: event.longitude });
        return { replies: [await menuMessage(ctx, this.runtime)] };
      case 'photo':
        if (conv) return runtime.input(ctx, conv, { kind: 'photo', fileId: event.fileId, caption: event.caption });
        return { replies: [await menuMessage(ctx, this.runtime)] };
    }
  }

  private async command(ctx: ActionContext, name: string, argument = ''): Promise<Turn> {
    const { runtime, conversation: conv } = ctx;
    switch (name) {
      case 'start':
      case 'menu':
        return { replies: [await menuMessage(ctx, runtime)] };
      case 'help':
        return { replies: [message(coreText(ctx.locale, 'help.text'))] };
      case 'cancel':
        if (!conv) return { replies: [message(coreText(ctx.locale, 'cancel.nothing'))] };
        return runtime.askCancel(ctx, conv);
    }
    // `/visit 李芳`: the name is searched in the actor's scope and chosen as if typed at the child question.
    if (runtime.flow(name)) return argument.trim() ? runtime.startAbout(ctx, name, argument.trim()) : runtime.start(ctx, name);
    return { replies: [message(coreText(ctx.locale, 'core.unknownCommand'))] };
  }

  private async menuAction(ctx: ActionContext, choice: string): Promise<Turn> {
    if (choice === 'resume') {
      if (!ctx.conversation) return { replies: [message(coreText(ctx.locale, 'cancel.nothing'))] };
      return { replies: [await ctx.runtime.reask(ctx, ctx.conversation)] };
    }
    if (!ctx.runtime.flow(choice)) return { replies: [], toast: coreText(ctx.locale, 'button.unknown') };
    return ctx.runtime.start(ctx, choice);
  }

  /** "Log a visit" / "report" from a child's file: the child in the button goes through the scoped lookup first. */
  private async startAbout(ctx: ActionContext, flow: string, childData: string, preset: Record<string, unknown> = {}): Promise<Turn> {
    const child = await resolveInScope(ctx.tx, ctx.actor, 'child', childData, ctx.channel);
    if (child === undefined) return { replies: [message(coreText(ctx.locale, 'child.notYours'))] };
    return ctx.runtime.start(ctx, flow, { ...preset, child });
  }

  /** A stranger: only the invite-code question, nothing else. */
  private async onboard(tx: Tx, inbound: ParsedInbound, now: Date, locale: Locale): Promise<Omit<Outcome, 'locale'>> {
    const text = inbound.event.kind === 'text' ? inbound.event.text.trim() : '';
    const command = parseCommand(text);
    const candidate = command?.name === 'start' ? command.argument : command ? '' : text;
    if (!candidate) return { replies: [message(coreText(locale, 'onboard.welcome'))] };
    // Anything typed counts as a guess, so guessing is throttled and audited whatever is typed.
    const result = await redeemInvite(tx, {
      channel: inbound.channel,
      externalId: inbound.userId,
      chatId: inbound.chatId,
      throttleKey: inbound.throttleKey,
      code: candidate.slice(0, 64),
      displayName: inbound.displayName,
      locale: inbound.languageHint,
      now,
    });
    if (!result.ok) return { replies: [message(coreText(locale, `onboard.${result.reason}`))] };
    for (const hook of this.boundHooks) await hook(tx, result.staffId, now);
    // Bound: the menu at once (and the help a tap away in it), so the first thing to do is a tap.
    const actor = await actorForStaff(tx, result.staffId);
    const menu = actor ? [await menuMessage({ locale, actor, conversation: undefined }, this.runtime)] : [message(coreText(locale, 'help.text'))];
    return { replies: [message([plain(coreText(locale, 'onboard.done', { name: result.name }))]), ...menu] };
  }
}
