// Where an invite code is redeemed, per configured channel: on Telegram a t.me deep link does it in one tap; on
// Feishu the person opens the bot's chat and sends the code; the local chat takes the code as typed.
import type { Config } from '../config.js';

export interface RedeemLinks {
  telegram?: { username?: string; link(code: string): string };
  feishu?: { chatLink?: string };
  local: boolean;
}

export async function redeemLinks(config: Config): Promise<RedeemLinks> {
  const out: RedeemLinks = { local: config.localChat };
  if (config.TELEGRAM_BOT_TOKEN) {
    const username = await telegramBotUsername(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT);
    out.telegram = { username, link: (code) => `https://t.me/${username}?start=${code}` };
  }
  if (config.feishuEnabled) out.feishu = { chatLink: feishuChatLink(config) };
  return out;
}

/** Feishu's applink that opens a private chat with the bot (by its app id). */
function feishuChatLink(config: Config): string | undefined {
  if (!config.FEISHU_APP_ID) return undefined;
  const host = config.FEISHU_DOMAIN === 'lark' ? 'applink.larksuite.com' : 'applink.feishu.cn';
  return `https://${host}/client/bot/open?appId=${encodeURIComponent(config.FEISHU_APP_ID)}`;
}

/** The bot's @username through the real Bot API (getMe); undefined when Telegram cannot be reached. */
async function telegramBotUsername(token: string, apiRoot: string | undefined): Promise<string | undefined> {
  try {
    const { Api } = await import('grammy');
    const api = new Api(token, { ...(apiRoot ? { apiRoot } : {}), timeoutSeconds: 5 });
    const me = await api.getMe();
    return me.username;
  } catch {
    return undefined;
  }
}
