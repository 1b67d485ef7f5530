export { createTelegramChannel, type InboundHandler, type TelegramChannelDeps } from './channel.js';
export { telegramLimits } from './limits.js';
