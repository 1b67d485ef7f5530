// Drives the channel-neutral core directly, as the local chat does, and renders what it answers.
import { randomUUID } from 'node:crypto';
import type { BotCore } from '../../src/bot/core.js';
import type { Inbound } from '../../src/bot/inbound.js';
import { richToPlain, type OutMessage } from '../../src/bot/message.js';
import type { Outcome } from '../../src/bot/outcome.js';
import type { Db } from '../../src/db/client.js';
import { takeInbox } from './inbox.js';
import type { ChatDriver, Rendered } from './transcript.js';
import type { DemoWorld } from './world.js';

export function render(message: OutMessage): Rendered {
  return { text: richToPlain(message.text), buttons: (message.buttons ?? []).flat().map((b) => b.label) };
}

export class CoreDriver implements ChatDriver {
  /** Every message shown to each speaker, newest last, with its buttons' data. */
  private readonly shown = new Map<string, OutMessage[]>();
  lastOutcome: Outcome | undefined;

  constructor(
    private readonly core: BotCore,
    private readonly world: DemoWorld,
    private readonly db: Db,
  ) {}

  userOf(speaker: string): string {
    return `staff:${this.world.staffId(speaker)}`;
  }

  async send(speaker: string, event: Inbound['event'], id: string = randomUUID()): Promise<Outcome> {
    const user = this.userOf(speaker);
    const outcome = await this.core.handle({ channel: 'local', id, userId: user, chatId: user, event });
    this.lastOutcome = outcome;
    const list = this.shown.get(speaker) ?? [];
    if (outcome.resolved) list.push(outcome.resolved);
    list.push(...outcome.replies);
    this.shown.set(speaker, list);
    return outcome;
  }

  async say(speaker: string, text: string): Promise<Rendered[]> {
    const outcome = await this.send(speaker, { kind: 'text', text });
    return outcome.replies.map(render);
  }

  async inbox(speaker: string): Promise<Rendered[]> {
    const arrived = (await takeInbox(this.db, this.world.staffId(speaker))).map((r) => r.message);
    this.shown.set(speaker, [...(this.shown.get(speaker) ?? []), ...arrived]);
    return arrived.map(render);
  }

  /** The data of the newest button whose label contains `label`. */
  buttonData(speaker: string, label: string): string {
    const list = this.shown.get(speaker) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const button = (list[i]!.buttons ?? []).flat().find((b) => b.label.includes(label));
      if (button) return button.data;
    }
    throw new Error(`${speaker} has no button labelled "${label}"`);
  }

  async press(speaker: string, label: string): Promise<Rendered[]> {
    const outcome = await this.send(speaker, { kind: 'button', data: this.buttonData(speaker, label) });
    const rendered = outcome.replies.map(render);
    if (outcome.resolved) rendered.unshift(render(outcome.resolved));
    if (outcome.toast) rendered.push({ text: outcome.toast, buttons: [] });
    return rendered;
  }
}
