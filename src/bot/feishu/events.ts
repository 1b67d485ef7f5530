// Feishu events (as the SDK's EventDispatcher hands them over: the v2 header and event fields flattened into one
// object) translated into the channel-neutral Inbound. zod at the edge; anything unexpected is dropped, not guessed.
import { z } from 'zod';
import type { Inbound } from '../inbound.js';

export const MESSAGE_EVENT = 'im.message.receive_v1';
export const CARD_ACTION_EVENT = 'card.action.trigger';
export const MENU_EVENT = 'application.bot.menu_v6';
export const CHAT_ENTERED_EVENT = 'im.chat.access_event.bot_p2p_chat_entered_v1';

const userIds = z.object({ open_id: z.string().min(1).max(200) }).loose();

const messageEventSchema = z
  .object({
    event_id: z.string().min(1).max(200),
    sender: z.object({ sender_id: userIds, sender_type: z.string() }).loose(),
    message: z
      .object({
        message_id: z.string().min(1).max(200),
        chat_id: z.string().min(1).max(200),
        chat_type: z.string(),
        message_type: z.string(),
        content: z.string().max(200_000),
        mentions: z.array(z.object({ key: z.string() }).loose()).optional(),
        user_agent: z.string().optional(),
      })
      .loose(),
  })
  .loose();

const cardActionSchema = z
  .object({
    event_id: z.string().min(1).max(200).optional(),
    /** After flattening, the card's own update token (c-…) overrides the header's verification token. */
    token: z.string().max(500).optional(),
    operator: userIds,
    action: z.object({ value: z.unknown(), tag: z.string().optional(), option: z.string().max(100).optional() }).loose(),
    context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).loose().optional(),
  })
  .loose();

const menuEventSchema = z
  .object({
    event_id: z.string().min(1).max(200),
    event_key: z.string().min(1).max(100),
    operator: z.object({ operator_id: userIds }).loose(),
  })
  .loose();

/** What the button carried: the core's `data`, under one short key so the card stays small. */
export const buttonValueSchema = z.object({ d: z.string().min(1).max(256) });

export type MessageTranslation =
  | { kind: 'inbound'; inbound: Inbound; messageId: string }
  /** A message type the bot cannot read (file, audio, sticker…): the adapter says what it can read. */
  | { kind: 'unsupported'; userId: string; chatId: string; eventId: string; languageHint?: string }
  | { kind: 'ignore'; reason: string };

export interface CardActionTranslation {
  /** Answered to the operator directly; its chatType is the adapter's to settle from `cardChatId`. */
  inbound: Inbound;
  /** The card's message, for a later patch when the core is too slow for the 3-second answer. */
  messageId?: string;
  /** The chat the card was pressed in: a private chat, or a group the card was forwarded to. */
  cardChatId?: string;
}

/** Feishu clients put the UI language in the user agent (`LarkLocale/en_US`). */
export function localeFromUserAgent(userAgent: string | undefined): string | undefined {
  const match = /LarkLocale\/([a-z]{2})[_-]([A-Za-z]{2})/.exec(userAgent ?? '');
  if (!match) return undefined;
  const [, lang, region] = match as unknown as [string, string, string];
  return lang === 'zh' ? `zh-${region.toUpperCase()}` : lang;
}

/** `@_user_1`, `@_all`: Feishu's placeholders for mentions inside text content. */
function stripMentions(text: string, keys: string[]): string {
  let out = text;
  for (const key of keys) out = out.split(key).join('');
  return out.replace(/@_(user_\d+|all)\b/g, '').replace(/[ \t]{2,}/g, ' ').trim();
}

const postElement = z.object({ tag: z.string() }).loose();
const postBody = z.object({ title: z.string().optional(), content: z.array(z.array(postElement)) });

interface FlatPost {
  text: string;
  imageKey?: string;
}

/** Rich text (post) flattened to plain text; mentions dropped, links kept as their text, first image kept. */
export function flattenPost(content: unknown): FlatPost | undefined {
  let parsed = postBody.safeParse(content);
  if (!parsed.success && content && typeof content === 'object') {
    // Some payloads wrap the body in a locale key ({ zh_cn: { title, content } }).
    const inner = Object.values(content as Record<string, unknown>).find((v) => postBody.safeParse(v).success);
    parsed = postBody.safeParse(inner);
  }
  if (!parsed.success) return undefined;
  let imageKey: string | undefined;
  const lines = parsed.data.content.map((line) =>
    line
      .map((el) => {
        const e = el as Record<string, unknown>;
        if (e.tag === 'img' && typeof e.image_key === 'string') imageKey ??= e.image_key;
        if (e.tag === 'text' || e.tag === 'a' || e.tag === 'md') return typeof e.text === 'string' ? e.text : '';
        if (e.tag === 'code_block') return typeof e.text === 'string' ? e.text : '';
        return '';
      })
      .join('')
      .trim(),
  );
  const title = parsed.data.title?.trim();
  const body = lines.join('\n');
  const text = [title, body].filter((s) => s && s.trim() !== '').join('\n');
  return { text: stripMentions(text, []), imageKey };
}

/**
 * A user's picture can only be fetched later through the message that carried it (GET
 * /im/v1/messages/{message_id}/resources/{image_key}?type=image), so the stored id keeps both.
 */
export function photoFileId(messageId: string, imageKey: string): string {
  return `${messageId}:${imageKey}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const textContent = z.object({ text: z.string() });
const imageContent = z.object({ image_key: z.string().min(1).max(290) });
const locationContent = z.object({
  latitude: z.coerce.number().min(-90).max(90),
  longitude: z.coerce.number().min(-180).max(180),
});

export function translateMessageEvent(data: unknown): MessageTranslation {
  const parsed = messageEventSchema.safeParse(data);
  if (!parsed.success) return { kind: 'ignore', reason: 'malformed message event' };
  const { event_id: eventId, sender, message } = parsed.data;
  if (sender.sender_type !== 'user') return { kind: 'ignore', reason: `sender is ${sender.sender_type}` };
  const userId = sender.sender_id.open_id;
  const chatId = message.chat_id;
  const languageHint = localeFromUserAgent(message.user_agent);
  // Group chats go to the core too: it refuses flows there, in the user's language, and records the event.
  const chatType = message.chat_type === 'p2p' ? ('private' as const) : ('group' as const);
  const base = { channel: 'feishu' as const, id: eventId, userId, chatId, chatType, languageHint };
  const content = parseJson(message.content);
  const mentionKeys = (message.mentions ?? []).map((m) => m.key);
  const inbound = (event: Inbound['event']): MessageTranslation => ({
    kind: 'inbound',
    inbound: { ...base, event },
    messageId: message.message_id,
  });

  switch (message.message_type) {
    case 'text': {
      const t = textContent.safeParse(content);
      if (!t.success) return { kind: 'ignore', reason: 'malformed text content' };
      return inbound({ kind: 'text', text: stripMentions(t.data.text, mentionKeys) });
    }
    case 'post': {
      const post = flattenPost(content);
      if (!post) return { kind: 'ignore', reason: 'malformed post content' };
      if (post.imageKey) {
        return inbound({ kind: 'photo', fileId: photoFileId(message.message_id, post.imageKey), caption: post.text ? post.text.slice(0, 2000) : undefined });
      }
      return inbound({ kind: 'text', text: post.text });
    }
    case 'image': {
      const img = imageContent.safeParse(content);
      if (!img.success) return { kind: 'ignore', reason: 'malformed image content' };
      return inbound({ kind: 'photo', fileId: photoFileId(message.message_id, img.data.image_key) });
    }
    case 'location': {
      const loc = locationContent.safeParse(content);
      if (!loc.success) return { kind: 'ignore', reason: 'malformed location content' };
      return inbound({ kind: 'location', latitude: loc.data.latitude, longitude: loc.data.longitude });
    }
    default:
      return { kind: 'unsupported', userId, chatId, eventId, languageHint };
  }
}

export function translateCardAction(data: unknown): CardActionTranslation | undefined {
  const parsed = cardActionSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { event_id: eventId, token, operator, action, context } = parsed.data;
  const value = buttonValueSchema.safeParse(action.value);
  if (!value.success) return undefined;
  // A date picker answers with its day in `option` ("2026-11-20 +0800"); the core reads it as digits after its data.
  let pressed = value.data.d;
  if (action.tag === 'date_picker') {
    const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(typeof action.option === 'string' ? action.option : '');
    if (!day) return undefined;
    pressed = `${pressed}${day[1]}${day[2]}${day[3]}`;
  }
  // The event id is stable across Feishu's redeliveries; the card token identifies the click when it is absent.
  const id = eventId ?? (token ? `card:${token}` : undefined);
  if (!id) return undefined;
  return {
    inbound: {
      channel: 'feishu',
      id,
      userId: operator.open_id,
      // The answer goes to the operator's own chat with the bot (an open_id is a receive id), never into the chat
      // the card happens to be in: a card forwarded to a group must not read children's data out to the group.
      chatId: operator.open_id,
      // The callback does not say what kind of chat the card is in; until the adapter has asked Feishu, it is a group.
      chatType: 'group',
      event: { kind: 'button', data: pressed },
    },
    messageId: context?.open_message_id,
    cardChatId: context?.open_chat_id,
  };
}

/** The bot's custom menu (机器人自定义菜单): each item's event key is a command, e.g. `visit` → `/visit`. */
export function translateMenuEvent(data: unknown): Inbound | undefined {
  const parsed = menuEventSchema.safeParse(data);
  if (!parsed.success || !/^[a-z_]+$/.test(parsed.data.event_key)) return undefined;
  const openId = parsed.data.operator.operator_id.open_id;
  return {
    channel: 'feishu',
    id: parsed.data.event_id,
    userId: openId,
    chatId: openId,
    chatType: 'private',
    event: { kind: 'text', text: `/${parsed.data.event_key}` },
  };
}

const chatEnteredSchema = z
  .object({
    event_id: z.string().min(1).max(200),
    chat_id: z.string().min(1).max(200),
    operator_id: userIds,
    last_message_id: z.string().optional(),
  })
  .loose();

/**
 * A user opening the private chat with the bot for the first time (no message in it yet) is greeted as if they had
 * typed /start: a stranger is asked for their invite code, a colleague sees the menu. Later visits stay quiet.
 */
export function translateChatEntered(data: unknown): Inbound | undefined {
  const parsed = chatEnteredSchema.safeParse(data);
  if (!parsed.success || (parsed.data.last_message_id ?? '') !== '') return undefined;
  return {
    channel: 'feishu',
    id: parsed.data.event_id,
    userId: parsed.data.operator_id.open_id,
    chatId: parsed.data.chat_id,
    chatType: 'private',
    event: { kind: 'text', text: '/start' },
  };
}
