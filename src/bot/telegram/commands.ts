// The bot's command menu (the "/" button in Telegram): Chinese for everyone by default, English for users whose
// Telegram is set to English.
import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { telegramText, type Locale, type TelegramTextKey } from './locale.js';

export const menuCommands = ['menu', 'visit', 'report', 'status', 'register', 'cancel', 'help'] as const;

export function commandList(locale: Locale): BotCommand[] {
  return menuCommands.map((command) => ({
    command,
    description: telegramText(locale, `command.${command}` as TelegramTextKey),
  }));
}

export async function publishCommands(api: Api): Promise<void> {
  await api.setMyCommands(commandList('zh-CN'));
  await api.setMyCommands(commandList('en'), { language_code: 'en' });
}
