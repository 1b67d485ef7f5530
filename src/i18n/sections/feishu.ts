// Texts the Feishu adapter says on its own (before or outside the core): group chats, unreadable message types,
// a card click that cannot be handled.
export const feishu = {
  'zh-CN': {
    'feishu.groupRefused': '为保护儿童信息，请在与机器人的私聊中使用走访、报告等功能。点击机器人头像，选择“发消息”即可开始。',
    'feishu.unsupported': '暂时只能识别文字、图片和位置。请用文字回复，或点击卡片上的按钮。',
    'feishu.cardInvalid': '这个按钮已失效，请查看最新的消息。',
    'feishu.tryAgain': '系统暂时繁忙，请稍后再试。',
    'feishu.working': '正在处理…',
  },
  en: {
    'feishu.groupRefused':
      'To protect children’s information, please use visits, reports and the rest in a private chat with the bot. Tap the bot’s avatar and choose “Message” to start.',
    'feishu.unsupported': 'For now I can read text, photos and locations. Please answer in text, or tap a button on the card.',
    'feishu.cardInvalid': 'This button no longer works; please look at the latest message.',
    'feishu.tryAgain': 'The system is busy right now; please try again in a moment.',
    'feishu.working': 'Working on it…',
  },
} as const;

export default feishu;

export type FeishuTextKey = keyof (typeof feishu)['zh-CN'];

/** The adapter's own texts in a locale, falling back to zh-CN for anything else. */
export function feishuText(locale: string | undefined, key: FeishuTextKey): string {
  return locale?.toLowerCase().startsWith('en') ? feishu.en[key] : feishu['zh-CN'][key];
}
