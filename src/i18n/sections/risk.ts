// Texts of lowering a child's risk level (风险等级下调): the supervisor's short form, its refusals, and how the
// child's file says why the level was lowered.
import { translator, type Catalogue } from '../translator.js';

export const riskTexts = {
  'zh-CN': {
    'button.lower': '⬇️ 下调风险等级',
    'ask.level': '下调{child}的风险等级（现在：{current}）— 调为？',
    'ask.reason': '下调的原因（必填，如：已由外婆接回照料、复核后无危险）：',
    'summary': '下调风险等级：{child}\n{from} → {to}\n原因：{reason}',
    'lowered': '✅ {child}的风险等级已由{from}下调为{to}。',
    'notLower': '⚠️ 没有下调：{child}的风险等级现在是{current}，“{to}”不比它低。只能调为更低的等级。',
    'lowest': '{child}的风险等级已是{current}，无法再下调。',
    'notAllowed': '只有儿童所在地区的督导员或管理员可以下调风险等级。',
    'card.lowered': '（{date}{name}由{from}下调：{reason}）',
  },
  en: {
    'button.lower': '⬇️ Lower the risk level',
    'ask.level': 'Lower {child}’s risk level (now {current}) — to which level?',
    'ask.reason': 'Why is it lowered? (required, e.g. back with the grandmother, checked: no danger)',
    'summary': 'Lower the risk level: {child}\n{from} → {to}\nReason: {reason}',
    'lowered': '✅ {child}’s risk level was lowered from {from} to {to}.',
    'notLower': '⚠️ Not lowered: {child}’s risk level is now {current}, and “{to}” is not below it. It can only be set to a lower level.',
    'lowest': '{child}’s risk level is already {current}; it cannot be lowered further.',
    'notAllowed': 'Only a supervisor of the child’s area or an administrator can lower a risk level.',
    'card.lowered': ' (lowered from {from} by {name}, {date}: {reason})',
  },
} satisfies Catalogue<string>;

export type RiskTextKey = keyof (typeof riskTexts)['zh-CN'];
export const riskText = translator<RiskTextKey>(riskTexts as Catalogue<RiskTextKey>);
