// Sends one channel-neutral message through a grammY Api: HTML text split under the limit (buttons on the last
// part), a picture with sendPhoto. Shared by interactive replies and outbox delivery; they differ only in the Api
// they pass (with or without auto-retry).
import { InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { OutMessage } from '../message.js';
import { CAPTION_LIMIT, inlineKeyboard, richToHtml, splitRich, visibleLength } from './render.js';

/** The message cannot replace another in place (a picture, or text longer than one message): send it instead. */
export class NotEditable extends Error {}

/** Sends the message; returns the id of the last Telegram message sent. */
export async function sendOutMessage(api: Api, chatId: string, message: OutMessage): Promise<number | undefined> {
  const keyboard = inlineKeyboard(message.buttons);
  let last: Message | undefined;

  if (message.image) {
    const photo = new InputFile(Buffer.from(message.image.pngBase64, 'base64'), 'chart.png');
    const captionFits = visibleLength(message.text) <= CAPTION_LIMIT;
    if (captionFits) {
      const caption = richToHtml(message.text);
      last = await api.sendPhoto(chatId, photo, {
        ...(caption !== '' ? { caption, parse_mode: 'HTML' as const } : {}),
        ...(keyboard ? { reply_markup: keyboard } : {}),
      });
      return last.message_id;
    }
    // The text does not fit a caption: the picture first, then the text with the buttons.
    last = await api.sendPhoto(chatId, photo);
  }

  const parts = splitRich(message.text);
  for (const [i, part] of parts.entries()) {
    const isLast = i === parts.length - 1;
    last = await api.sendMessage(chatId, richToHtml(part), {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(isLast && keyboard ? { reply_markup: keyboard } : {}),
    });
  }
  return last?.message_id;
}

/**
 * Replaces the text and buttons of a message sent earlier. An edit that changes nothing is Telegram's 400 "message
 * is not modified": the message already reads right, so the caller treats it as success.
 */
export async function editOutMessage(api: Api, chatId: string, messageId: number, message: OutMessage): Promise<void> {
  const parts = splitRich(message.text);
  if (message.image || parts.length !== 1) throw new NotEditable('only a single text message can replace another');
  const keyboard = inlineKeyboard(message.buttons);
  await api.editMessageText(chatId, messageId, richToHtml(parts[0]!), {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    ...(keyboard ? { reply_markup: keyboard } : {}),
  });
}
