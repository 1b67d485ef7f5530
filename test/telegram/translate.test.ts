// Update → Translation, one row per kind of update Telegram sends.
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { translateUpdate } from '../../src/bot/telegram/translate.js';

const BOT = 123456;
const anna = { id: 42, is_bot: false, first_name: 'Anna', last_name: 'Li', language_code: 'en' };
const privateChat = { id: 42, type: 'private' as const, first_name: 'Anna' };
const group = { id: -100777, type: 'supergroup' as const, title: '工作群' };
const msg = (fields: Record<string, unknown>, chat: object = privateChat, from: object = anna) =>
  ({ update_id: 9, message: { message_id: 5, date: 1, chat, from, ...fields } }) as unknown as Update;

describe('translateUpdate', () => {
  it.each([
    ['a text', msg({ text: '你好' }), { kind: 'text', text: '你好' }],
    ['a deep link', msg({ text: '/start AB12CD', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }), { kind: 'text', text: '/start AB12CD' }],
    ['a location', msg({ location: { latitude: 30.1, longitude: 120.2 } }), { kind: 'location', latitude: 30.1, longitude: 120.2 }],
    [
      'a photo (largest size)',
      msg({ photo: [{ file_id: 's', file_unique_id: 's', width: 90, height: 60 }, { file_id: 'l', file_unique_id: 'l', width: 1280, height: 960 }, { file_id: 'm', file_unique_id: 'm', width: 320, height: 240 }], caption: '厨房' }),
      { kind: 'photo', fileId: 'l', caption: '厨房' },
    ],
    ['an image sent as a file', msg({ document: { file_id: 'doc', file_unique_id: 'd', mime_type: 'image/jpeg' } }), { kind: 'photo', fileId: 'doc' }],
  ])('%s in a private chat goes to the core', (_name, update, event) => {
    expect(translateUpdate(update, BOT)).toEqual({
      kind: 'inbound',
      inbound: { channel: 'telegram', id: `${BOT}:9`, userId: '42', chatId: '42', chatType: 'private', languageHint: 'en', displayName: 'Anna Li', event },
    });
  });

  it('a button press carries its data, the query id and the message to edit', () => {
    const update = {
      update_id: 10,
      callback_query: { id: 'cq1', from: anna, chat_instance: 'ci', data: 'v.kid.17', message: { message_id: 77, date: 1, chat: privateChat } },
    } as unknown as Update;
    expect(translateUpdate(update, BOT)).toMatchObject({
      kind: 'inbound',
      callbackQueryId: 'cq1',
      messageId: 77,
      inbound: { id: `${BOT}:10`, event: { kind: 'button', data: 'v.kid.17' } },
    });
  });

  it.each([
    ['a message from a bot', msg({ text: '/start' }, privateChat, { ...anna, is_bot: true }), 'ignore'],
    ['a group text', msg({ text: '/visit' }, group), 'group'],
    ['a service message in a group', msg({ new_chat_members: [anna] }, group), 'ignore'],
    ['a sticker', msg({ sticker: { file_id: 'x' } }), 'unsupported'],
    ['a voice note', msg({ voice: { file_id: 'x', duration: 3 } }), 'unsupported'],
    ['an over-long caption', msg({ photo: [{ file_id: 'a', file_unique_id: 'a', width: 1, height: 1 }], caption: 'x'.repeat(2001) }), 'unsupported'],
    ['an edited message', { update_id: 11, edited_message: { message_id: 5, date: 1, edit_date: 2, chat: privateChat, from: anna, text: 'x' } }, 'edited'],
    ['a channel post', { update_id: 12, channel_post: { message_id: 5, date: 1, chat: { id: -1, type: 'channel', title: 'c' }, text: 'x' } }, 'ignore'],
    [
      'a group button press',
      { update_id: 13, callback_query: { id: 'cq', from: anna, chat_instance: 'ci', data: 'x', message: { message_id: 1, date: 1, chat: group } } },
      'group',
    ],
    ['an inline-mode button', { update_id: 14, callback_query: { id: 'cq', from: anna, chat_instance: 'ci', data: 'x', inline_message_id: 'im' } }, 'ignore'],
  ])('%s → %s', (_name, update, kind) => {
    expect(translateUpdate(update as unknown as Update, BOT).kind).toBe(kind);
  });
});
