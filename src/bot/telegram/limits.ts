// Telegram's published safe sending rates. The outbox sender paces bulk sends (reminders, digests) with these;
// the adapter itself never sleeps in deliver(), so a 429 reaches the sender with its retry_after.
export const telegramLimits = {
  /** Messages per second across all chats. */
  perSecond: 30,
  /** Messages per second to one chat. */
  perChatPerSecond: 1,
} as const;
