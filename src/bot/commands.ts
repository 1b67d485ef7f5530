// Commands (/visit, /menu …) and the menu.
import { coreText } from '../i18n/core.js';
import type { FlowRuntime } from '../flows/runtime.js';
import type { ActionContext } from './core.js';
import { message, type Button, type OutMessage } from './message.js';

/** `/visit`, `/start CODE`, `/status@my_bot` → name and argument; anything else → undefined. */
export function parseCommand(text: string): { name: string; argument: string } | undefined {
  const match = /^\/([a-z_]{1,32})(?:@\w+)?(?:\s+(.*))?$/is.exec(text.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), argument: (match[2] ?? '').trim() };
}

const menuFlows = ['visit', 'report', 'status', 'register', 'approve', 'reports', 'overdue', 'stats'] as const;

export async function menuMessage(ctx: Pick<ActionContext, 'locale' | 'actor' | 'conversation'>, runtime: FlowRuntime): Promise<OutMessage> {
  const rows: Button[][] = [];
  if (ctx.conversation) {
    const flow = runtime.flow(ctx.conversation.flow);
    rows.push([{ label: coreText(ctx.locale, 'menu.resume', { flow: flow?.title[ctx.locale] ?? '' }), data: 'm.resume' }]);
  }
  for (const name of menuFlows) {
    const flow = runtime.flow(name);
    if (!flow || (flow.roles && !flow.roles.includes(ctx.actor.role))) continue;
    rows.push([{ label: coreText(ctx.locale, `menu.${name}`), data: `m.${name}` }]);
  }
  return message(coreText(ctx.locale, 'menu.title'), rows);
}
