// Texts the Feishu adapter says on its own (before or outside the core): unreadable message types, a card click
// that cannot be handled, a slow or failed answer.
import { resolveLocale, translator } from '../translator.js';

export const feishu = {
  'zh-CN': {
    'feishu.unsupported': '暂时只能识别文字、图片和位置。请用文字回复，或点击卡片上的按钮。',
    'feishu.cardInvalid': '这个按钮已失效，请查看最新的消息。',
    'feishu.tryAgain': '系统暂时繁忙，请稍后再试。',
    'feishu.working': '正在处理…',
  },
  en: {
    'feishu.unsupported': 'For now I can read text, photos and locations. Please answer in text, or tap a button on the card.',
    'feishu.cardInvalid': 'This button no longer works; please look at the latest message.',
    'feishu.tryAgain': 'The system is busy right now; please try again in a moment.',
    'feishu.working': 'Working on it…',
  },
} as const;

export default feishu;

export type FeishuTextKey = keyof (typeof feishu)['zh-CN'];

const translate = translator<FeishuTextKey>(feishu);

/** The adapter's own texts in a locale (a hint such as `en_US` is enough), zh-CN for anything else. */
export function feishuText(locale: string | undefined, key: FeishuTextKey): string {
  return translate(resolveLocale(locale, 'zh-CN'), key);
}
