// Texts of the conversation's edges: a repeated ✅, an old button, the end of a form.
import { translator, type Catalogue } from '../translator.js';

export const conversationTexts = {
  'zh-CN': {
    'button.alreadySaved': '已保存，无需重复提交。',
    'button.stalePointer': '这个按钮已过期。请回答最新的问题（在下面）：{question}',
  },
  en: {
    'button.alreadySaved': 'Already saved; no need to submit again.',
    'button.stalePointer': 'That button is out of date. Please answer the latest question (below): {question}',
  },
} as const;

export type ConversationTextKey = keyof (typeof conversationTexts)['zh-CN'];
export const conversationText = translator<ConversationTextKey>(conversationTexts as Catalogue<ConversationTextKey>);
