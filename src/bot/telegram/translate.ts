// One Telegram update → what the adapter should do with it. Pure: no I/O, so every kind of update is a table row
// in the tests. Only private chats reach the core; the rest is refused or ignored here.
import type { Update } from 'grammy/types';
import { inboundSchema, type Inbound } from '../inbound.js';

export type Translation =
  /** Hand to the core. `callbackQueryId`/`messageId` are set for a button press (answer it, edit the question). */
  | { kind: 'inbound'; inbound: Inbound; callbackQueryId?: string; messageId?: number }
  /** A message in a group, supergroup or channel: say that flows run only in private chats. */
  | { kind: 'group'; chatId: string; userId?: string; languageHint?: string; callbackQueryId?: string }
  /** An edited message: not processed; the user is told once. */
  | { kind: 'edited'; chatId: string; userId: string; languageHint?: string }
  /** A private message of a kind no flow reads (sticker, voice, …). */
  | { kind: 'unsupported'; chatId: string; userId: string; languageHint?: string }
  /** Nothing to do: updates from bots, service messages, update kinds we do not subscribe to. */
  | { kind: 'ignore'; reason: string };

/** The update kinds the bot subscribes to (getUpdates / setWebhook `allowed_updates`). */
export const allowedUpdates = ['message', 'edited_message', 'callback_query'] as const;

type Message = NonNullable<Update['message']>;

function displayName(from: { first_name: string; last_name?: string }): string {
  return [from.first_name, from.last_name].filter(Boolean).join(' ').slice(0, 200);
}

/** The event a private message carries, if any flow can read it. */
function messageEvent(message: Message): Inbound['event'] | undefined {
  if (message.location) {
    return { kind: 'location', latitude: message.location.latitude, longitude: message.location.longitude };
  }
  if (message.photo && message.photo.length > 0) {
    // Telegram lists the sizes smallest first; keep the largest.
    const largest = message.photo.reduce((a, b) => ((b.width * b.height > a.width * a.height) ? b : a));
    return { kind: 'photo', fileId: largest.file_id, ...(message.caption ? { caption: message.caption } : {}) };
  }
  // A picture sent "as a file" keeps its full quality: accept it as a photo too.
  if (message.document?.mime_type?.startsWith('image/')) {
    return { kind: 'photo', fileId: message.document.file_id, ...(message.caption ? { caption: message.caption } : {}) };
  }
  if (typeof message.text === 'string') return { kind: 'text', text: message.text };
  return undefined;
}

export function translateUpdate(update: Update, botId: number): Translation {
  const id = `${botId}:${update.update_id}`;

  if (update.edited_message || update.edited_channel_post) {
    const edited = update.edited_message;
    if (!edited?.from || edited.from.is_bot) return { kind: 'ignore', reason: 'edited channel post or bot edit' };
    if (edited.chat.type !== 'private') return { kind: 'ignore', reason: 'edit in a group' };
    return { kind: 'edited', chatId: String(edited.chat.id), userId: String(edited.from.id), languageHint: edited.from.language_code };
  }

  if (update.callback_query) {
    const query = update.callback_query;
    if (query.from.is_bot) return { kind: 'ignore', reason: 'callback from a bot' };
    const chat = query.message?.chat;
    // Inline-mode buttons come without a message: the bot never sends those.
    if (!chat || query.data === undefined) return { kind: 'ignore', reason: 'callback without message or data' };
    if (chat.type !== 'private') {
      return { kind: 'group', chatId: String(chat.id), userId: String(query.from.id), languageHint: query.from.language_code, callbackQueryId: query.id };
    }
    const inbound: Inbound = {
      channel: 'telegram',
      id,
      userId: String(query.from.id),
      chatId: String(chat.id),
      chatType: 'private',
      languageHint: query.from.language_code,
      displayName: displayName(query.from),
      event: { kind: 'button', data: query.data },
    };
    return validated(inbound, { callbackQueryId: query.id, messageId: query.message?.message_id });
  }

  if (update.message) {
    const message = update.message;
    if (!message.from) return { kind: 'ignore', reason: 'message without sender' };
    if (message.from.is_bot) return { kind: 'ignore', reason: 'message from a bot' };
    const event = messageEvent(message);
    if (message.chat.type !== 'private') {
      // Service messages (someone joined, the title changed) are not addressed to the bot.
      if (!event) return { kind: 'ignore', reason: 'service message in a group' };
      return { kind: 'group', chatId: String(message.chat.id), userId: String(message.from.id), languageHint: message.from.language_code };
    }
    if (!event) {
      return { kind: 'unsupported', chatId: String(message.chat.id), userId: String(message.from.id), languageHint: message.from.language_code };
    }
    return validated({
      channel: 'telegram',
      id,
      userId: String(message.from.id),
      chatId: String(message.chat.id),
      chatType: 'private',
      languageHint: message.from.language_code,
      displayName: displayName(message.from),
      event,
    });
  }

  if (update.channel_post) return { kind: 'ignore', reason: 'channel post' };
  return { kind: 'ignore', reason: 'update kind not handled' };
}

/** Runs the shared schema so an odd update (over-long caption, bad coordinates) is refused here, not in the core. */
function validated(inbound: Inbound, extra: { callbackQueryId?: string; messageId?: number } = {}): Translation {
  const parsed = inboundSchema.safeParse(inbound);
  if (!parsed.success) {
    return { kind: 'unsupported', chatId: inbound.chatId, userId: inbound.userId, languageHint: inbound.languageHint };
  }
  return { kind: 'inbound', inbound, ...extra };
}
