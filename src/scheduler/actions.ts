// The buttons the scheduler's messages carry, for the core's onAction(prefix, handler): reminder snoozes (a
// report's buttons are the report's own: src/flows/reportButtons.ts). Typed structurally so this module does not
// depend on the core's internals.
import type { OutMessage } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Actor } from '../db/actor.js';
import type { Tx } from '../db/client.js';
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

/** Registers the handlers on the core (`core.onAction`). */
export function registerSchedulerActions(
  core: { onAction(prefix: string, handler: SchedulerActionHandler): void },
  config: Pick<Config, 'TZ_NAME' | 'DEFAULT_LOCALE'>,
): void {
  for (const [prefix, handler] of schedulerActions(config)) core.onAction(prefix, handler);
}
