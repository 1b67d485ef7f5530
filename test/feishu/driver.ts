// The lead's transcript harness, driven through Feishu: each speaker is a Feishu user bound by an invite code in
// their private chat; every message and button press goes through the fake open platform and the signed,
// encrypted webhook — and, when asked, twice, as Feishu's redelivery would, so record counts prove exactly-once.
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { staff } from '../../src/db/schema.js';
import { takeInbox } from '../support/inbox.js';
import type { ChatDriver, Rendered } from '../support/transcript.js';
import type { DemoWorld } from '../support/world.js';
import { cardButtons, visibleText, type FakeFeishu, type SentMessage } from './fakeFeishu.js';
import type { Running } from './harness.js';

export interface FeishuUser {
  openId: string;
  chatId: string;
}

export class FeishuDriver implements ChatDriver {
  private readonly users = new Map<string, FeishuUser>();
  /** Webhook round trips (request to answer), for the figures. */
  readonly roundTripsMs: number[] = [];

  constructor(
    private readonly fake: FakeFeishu,
    private readonly app: Running,
    private readonly world: DemoWorld,
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly options: { replayEach?: boolean; transport?: 'webhook' | 'ws' } = {},
  ) {}

  /** Binds the speaker's Feishu account the way a caseworker does: an invite code typed into the private chat. */
  async user(speaker: string): Promise<FeishuUser> {
    const known = this.users.get(speaker);
    if (known) return known;
    const staffId = this.world.staffId(speaker);
    const user = { openId: `ou_staff_${staffId}`, chatId: `oc_p2p_${staffId}` };
    this.users.set(speaker, user);
    const [row] = await this.db.select({ role: staff.role, areaCode: staff.areaCode }).from(staff).where(eq(staff.id, staffId));
    const { code } = await createInvite(this.db, { role: row!.role, areaCode: row!.areaCode, staffId, now: this.now() });
    const answer = await this.send(user, () => this.fake.messageEvent({ openId: user.openId, chatId: user.chatId, content: { text: code } }));
    if (!answer.some((m) => m.text.includes(speaker))) throw new Error(`binding ${speaker} failed: ${answer.map((m) => m.text).join(' / ')}`);
    return user;
  }

  async say(speaker: string, text: string): Promise<Rendered[]> {
    const user = await this.user(speaker);
    return this.send(user, () => this.fake.messageEvent({ openId: user.openId, chatId: user.chatId, content: { text } }));
  }

  async press(speaker: string, label: string): Promise<Rendered[]> {
    const user = await this.user(speaker);
    const card = this.newestCardWith(user, label);
    const button = cardButtons(card).find((b) => b.label.includes(label))!;
    const event = this.fake.cardActionEvent({ openId: user.openId, chatId: user.chatId, messageId: card.messageId, value: button.value });
    const before = this.fake.chat(user.chatId).length;
    const answer = await this.post(this.app.cardsUrl, event);
    const newCard = (answer.card as { data?: Record<string, unknown> } | undefined)?.data;
    if (newCard) card.updatedCard = newCard;
    if (this.options.replayEach) {
      const again = await this.post(this.app.cardsUrl, event);
      if (Object.keys(again).length > 0) throw new Error(`a repeated click was answered again: ${JSON.stringify(again)}`);
    }
    await this.app.channel.events.idle();
    const shown: Rendered[] = [];
    if (newCard) shown.push(rendered(card));
    shown.push(...this.fake.chat(user.chatId).slice(before).map(rendered));
    const toast = (answer.toast as { content?: string } | undefined)?.content;
    if (toast) shown.push({ text: toast, buttons: [] });
    return shown;
  }

  async inbox(speaker: string): Promise<Rendered[]> {
    const user = await this.user(speaker);
    const before = this.fake.chat(user.chatId).length;
    for (const { id, message } of await takeInbox(this.db, this.world.staffId(speaker))) {
      const result = await this.app.channel.deliver(user.chatId, message, `outbox-${id}`);
      if (!result.ok) throw new Error(`delivering outbox ${id} failed: ${result.error}`);
    }
    return this.fake.chat(user.chatId).slice(before).map(rendered);
  }

  private async send(user: FeishuUser, event: () => Record<string, unknown>): Promise<Rendered[]> {
    const before = this.fake.chat(user.chatId).length;
    const payload = event();
    await this.post(this.app.eventsUrl, payload);
    if (this.options.replayEach) await this.post(this.app.eventsUrl, payload);
    await this.app.channel.events.idle();
    return this.fake.chat(user.chatId).slice(before).map(rendered);
  }

  private async post(url: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const started = performance.now();
    const answer =
      this.options.transport === 'ws'
        ? await this.fake.pushWs(payload).then((a) => ({ status: a.code, body: (a.data ?? {}) as Record<string, unknown> }))
        : await this.fake.sendWebhook(url, payload);
    this.roundTripsMs.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  private newestCardWith(user: FeishuUser, label: string): SentMessage {
    const chat = this.fake.chat(user.chatId);
    for (let i = chat.length - 1; i >= 0; i--) {
      if (cardButtons(chat[i]!).some((b) => b.label.includes(label))) return chat[i]!;
    }
    throw new Error(`no button labelled "${label}" in ${user.chatId}`);
  }
}

function rendered(message: SentMessage): Rendered {
  return { text: visibleText(message), buttons: cardButtons(message).map((b) => b.label) };
}
