// The buttons the scheduler's messages carry, for the core's onAction(prefix, handler): reminder snoozes (a
// report's buttons are the report's own: src/flows/reportButtons.ts). Typed structurally so this module does not
// depend on the core's internals.
import type { OutMessage } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Actor } from '../db/actor.js';
import type { Tx } from '../db/client.js';
import { queueRemindersForNewlyBound } from './reminders.js';
import { handleSnooze } from './snooze.js';

export interface ActionInput {
  tx: Tx;
  actor: Actor;
  channel: string;
  now: Date;
}

export interface ActionAnswer {
  replies: OutMessage[];
  toast?: string;
}

export type SchedulerActionHandler = (ctx: ActionInput, data: string) => Promise<ActionAnswer>;

export function schedulerActions(config: Pick<Config, 'TZ_NAME' | 'DEFAULT_LOCALE'>): [prefix: string, handler: SchedulerActionHandler][] {
  const context = (ctx: ActionInput) => ({ tz: config.TZ_NAME, defaultLocale: config.DEFAULT_LOCALE, now: ctx.now, channel: ctx.channel });
  const answer = ({ replies, toast }: ActionAnswer): ActionAnswer => (toast === undefined ? { replies } : { replies, toast });
  return [
    ['rm.', async (ctx, data) => answer(await handleSnooze(ctx.tx, ctx.actor, data, context(ctx)))],
  ];
}

/**
 * Registers the scheduler's part of a conversation on the core: the handlers of its buttons (`core.onAction`), and —
 * in the transaction that binds a person (`core.onBound`) — today's due list when it went out before they bound, so
 * it comes now (through the outbox), not tomorrow.
 */
export function registerSchedulerActions(
  core: {
    onAction(prefix: string, handler: SchedulerActionHandler): void;
    onBound(hook: (tx: Tx, staffId: number, now: Date) => Promise<void>): void;
  },
  config: Config,
): void {
  for (const [prefix, handler] of schedulerActions(config)) core.onAction(prefix, handler);
  core.onBound(async (tx, staffId, now) => {
    await queueRemindersForNewlyBound(tx, config, staffId, now);
  });
}
