// Texts of filing a mandatory report that go beyond the form itself: the preliminary alert sent the moment
// immediate danger is known, the completed report's follow-up, and what an abandoned urgent report leaves behind.
import { translator, type Catalogue } from '../translator.js';

export const reportFiling = {
  'zh-CN': {
    'guidance.unable': '无法报警，先继续',
    'preliminary.sent': '🚨 紧急报告 {ref} 已发给督导员。',
    'preliminary.title': '🚨 紧急报告 {ref}（报告填写中）',
    'preliminary.body': '报告人确认孩子处于紧急危险，正在填写报告；完整报告稍后送达。',
    'preliminary.childUnknownYet': '儿童：尚未填写（{area}）',
    'preliminary.where': '地点：{where}',
    'followUp.line': '完整报告（更新此前的紧急警报 {ref}）',
    'draft.status': '报告填写中',
    'abandoned.note': '⚠️ 紧急报告 {ref} 不会被撤销：督导员已收到警报，它作为“报告填写中”的紧急报告留给督导员处理。',
  },
  en: {
    'guidance.unable': 'Cannot call the police, continue',
    'preliminary.sent': '🚨 Urgent report {ref} has gone to the supervisors.',
    'preliminary.title': '🚨 Urgent report {ref} (being filled in)',
    'preliminary.body': 'The reporter says the child is in immediate danger and is filling in the report; the full report follows.',
    'preliminary.childUnknownYet': 'Child: not given yet ({area})',
    'preliminary.where': 'Where: {where}',
    'followUp.line': 'Full report (updates the earlier urgent alert {ref})',
    'draft.status': 'being filled in',
    'abandoned.note': '⚠️ Urgent report {ref} is not withdrawn: the supervisors have been alerted, and it stays with them as a report “being filled in”.',
  },
} satisfies Catalogue<string>;

export type ReportFilingKey = keyof (typeof reportFiling)['zh-CN'];
export const reportFilingText = translator<ReportFilingKey>(reportFiling as Catalogue<ReportFilingKey>);
