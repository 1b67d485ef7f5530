// The lead's transcript harness, driven through Telegram: each speaker is a Telegram user bound with `/start <code>`
// (the deep link an administrator hands out); every message and button press is a real update through the fake
// Bot API server into the real grammY Bot. In webhook mode each update is delivered twice, as Telegram does after a
// timeout, so the transcripts' record counts prove exactly-once. What the bot "said" is what Telegram shows: new
// messages, the pressed question as edited, and the toast.
import { eq } from 'drizzle-orm';
import type { Message, Update, User } from 'grammy/types';
import type { Db } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { staff } from '../../src/db/schema.js';
import { takeInbox } from '../support/inbox.js';
import type { ChatDriver, Rendered } from '../support/transcript.js';
import type { DemoWorld } from '../support/world.js';
import type { TelegramRig } from './harness.js';

const render = (m: Message): Rendered => ({
  text: m.text ?? m.caption ?? '',
  buttons: (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text),
});

export class TelegramDriver implements ChatDriver {
  private readonly users = new Map<string, User>();
  /** Webhook round trips of each first delivery (request to answer), for the figures. */
  readonly roundTripsMs: number[] = [];
  private nextUserId = 5_000_001;

  constructor(
    private readonly rig: TelegramRig,
    private readonly world: DemoWorld,
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly options: { redeliver: boolean } = { redeliver: rig.mode === 'webhook' },
  ) {}

  async user(speaker: string): Promise<User> {
    const known = this.users.get(speaker);
    if (known) return known;
    const staffId = this.world.staffId(speaker);
    const user = this.rig.fake.user(this.nextUserId++, speaker, { languageCode: 'zh-hans' });
    this.users.set(speaker, user);
    const [row] = await this.db.select({ role: staff.role, areaCode: staff.areaCode }).from(staff).where(eq(staff.id, staffId));
    const { code } = await createInvite(this.db, { role: row!.role, areaCode: row!.areaCode, staffId, now: this.now() });
    const answer = await this.deliver(user, this.rig.fake.text(user, `/start ${code}`));
    if (!answer.some((m) => m.text.includes(speaker))) throw new Error(`binding ${speaker} failed: ${answer.map((m) => m.text).join(' / ')}`);
    return user;
  }

  async say(speaker: string, text: string): Promise<Rendered[]> {
    const user = await this.user(speaker);
    return this.deliver(user, this.rig.fake.text(user, text));
  }

  async press(speaker: string, label: string): Promise<Rendered[]> {
    const user = await this.user(speaker);
    const message = this.newestWithButton(user, label);
    const button = message.reply_markup!.inline_keyboard.flat().find((b) => b.text.includes(label))!;
    if (!('callback_data' in button)) throw new Error(`button "${label}" has no callback data`);
    const answersBefore = this.rig.fake.callsOf('answerCallbackQuery').length;
    const editsBefore = this.rig.fake.callsOf('editMessageText').length;
    const said = await this.deliver(user, this.rig.fake.pressData(user, message, button.callback_data));
    const edited = this.rig.fake
      .callsOf('editMessageText')
      .slice(editsBefore)
      .some((c) => c.status === 200 && Number(c.params.message_id) === message.message_id);
    const resolved = edited ? [render(this.rig.fake.message(user.id, message.message_id)!)] : [];
    const toast = this.rig.fake
      .callsOf('answerCallbackQuery')
      .slice(answersBefore)
      .map((c) => c.params.text)
      .filter((t): t is string => typeof t === 'string')
      .map((text) => ({ text, buttons: [] }));
    return [...resolved, ...said, ...toast];
  }

  async inbox(speaker: string): Promise<Rendered[]> {
    const user = await this.user(speaker);
    const before = this.rig.fake.sentTo(user.id).length;
    for (const { id, message } of await takeInbox(this.db, this.world.staffId(speaker))) {
      const result = await this.rig.channel.deliver(String(user.id), message, `outbox-${id}`);
      if (!result.ok) throw new Error(`delivering outbox ${id} failed: ${result.error}`);
    }
    return this.rig.fake.sentTo(user.id).slice(before).map(render);
  }

  /** Delivers one update (twice in webhook mode) and returns the new messages the bot sent to the user. */
  private async deliver(user: User, update: Update): Promise<Rendered[]> {
    const before = this.rig.fake.sentTo(user.id).length;
    const started = performance.now();
    const status = await this.rig.deliver(update);
    this.roundTripsMs.push(performance.now() - started);
    if (status !== 200) throw new Error(`the webhook answered ${status}`);
    const said = this.rig.fake.sentTo(user.id).slice(before);
    if (this.options.redeliver) {
      const again = await this.rig.deliver(update);
      const extra = this.rig.fake.sentTo(user.id).length - before - said.length;
      if (again !== 200 || extra !== 0) throw new Error(`a redelivered update was answered again (status ${again}, ${extra} more messages)`);
    }
    return said.map(render);
  }

  private newestWithButton(user: User, label: string): Message {
    const messages = this.rig.fake.sentTo(user.id).reverse();
    const found = messages.find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text.includes(label)));
    if (!found) {
      const shown = messages.find((m) => m.reply_markup)?.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
      throw new Error(`no button labelled "${label}"; the newest buttons are: ${shown.join(' | ') || '(none)'}`);
    }
    return found;
  }
}
