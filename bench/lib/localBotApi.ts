// Answers the Bot API calls of a real grammY Bot inside the process (an API transformer), so a benchmark measures
// the bot and its database, not a network. It keeps, per chat, the newest message that carries buttons — what a
// user would tap next — and counts the calls.
import type { Api, Transformer } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User, UserFromGetMe } from 'grammy/types';

export const BOT_ID = 7_000_000_001;

const botInfo: UserFromGetMe = {
  id: BOT_ID,
  is_bot: true,
  first_name: 'Caseworker',
  username: 'caseworker_bench_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

/**
 * Update ids are unique across every LocalBotApi in the process: ours deduplicates by update id, and two instances
 * counting from nearby bases would make one bot's updates look like redeliveries of the other's.
 */
let nextUpdateId = 1;

export interface Screen {
  message_id: number;
  text: string;
  buttons: InlineKeyboardButton.CallbackButton[];
}

export class LocalBotApi {
  /** Newest message with buttons, per chat. */
  readonly screens = new Map<number, Screen>();
  /** Newest text, per chat (to check a conversation's end). */
  readonly lastText = new Map<number, string>();
  readonly calls = new Map<string, number>();
  /** The last few texts sent or edited, per chat, for error messages. */
  readonly history = new Map<number, string[]>();
  private nextMessageId = 1;

  /** Installs the transformer on a bot's Api: nothing leaves the process. */
  install(api: Api): void {
    api.config.use(this.transformer);
  }

  readonly transformer: Transformer = async (_prev, method, payload) => {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const p = payload as Record<string, unknown>;
    const chatId = Number(p.chat_id);
    switch (method) {
      case 'getMe':
        return { ok: true, result: botInfo } as never;
      case 'sendMessage':
      case 'editMessageText': {
        const messageId = method === 'sendMessage' ? this.nextMessageId++ : Number(p.message_id);
        const text = String(p.text ?? '');
        this.lastText.set(chatId, text);
        const seen = this.history.get(chatId) ?? [];
        seen.push(`${method}: ${text.slice(0, 80)}`);
        this.history.set(chatId, seen.slice(-8));
        const markup = p.reply_markup as InlineKeyboardMarkup | undefined;
        const buttons = (markup?.inline_keyboard ?? []).flat().filter((b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b);
        if (buttons.length > 0) this.screens.set(chatId, { message_id: messageId, text, buttons });
        else if (this.screens.get(chatId)?.message_id === messageId) this.screens.delete(chatId);
        const message = { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: 'u' }, text };
        return { ok: true, result: message as Message } as never;
      }
      case 'editMessageReplyMarkup':
        if (this.screens.get(chatId)?.message_id === Number(p.message_id)) this.screens.delete(chatId);
        return { ok: true, result: true } as never;
      default:
        return { ok: true, result: true } as never;
    }
  };

  user(id: number): User {
    return { id, is_bot: false, first_name: `社工${id}`, language_code: 'zh-hans' };
  }

  text(user: User, text: string): Update {
    const command = /^\/\w+/.exec(text)?.[0];
    return {
      update_id: nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private', first_name: user.first_name },
        from: user,
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
      },
    } as Update;
  }

  /** A press on the newest button whose label contains `label` (or the `index`-th button) of the chat's screen. */
  press(user: User, target: { label: string } | { index: number }): Update {
    const screen = this.screens.get(user.id);
    if (!screen) throw new Error(`chat ${user.id}: no message with buttons to press (last text: ${this.lastText.get(user.id) ?? '-'})`);
    const button = 'label' in target ? screen.buttons.find((b) => b.text.includes(target.label)) : screen.buttons[target.index];
    if (!button) {
      throw new Error(`chat ${user.id}: no button ${JSON.stringify(target)} among ${screen.buttons.map((b) => b.text).join(' | ')}; the bot last said:\n  ${(this.history.get(user.id) ?? []).join('\n  ')}`);
    }
    return {
      update_id: nextUpdateId++,
      callback_query: {
        id: String(nextUpdateId),
        from: user,
        chat_instance: String(user.id),
        data: button.callback_data,
        message: {
          message_id: screen.message_id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: 'private', first_name: user.first_name },
          text: screen.text,
        },
      },
    } as Update;
  }
}
