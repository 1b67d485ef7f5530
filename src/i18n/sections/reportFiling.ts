// Texts of filing a mandatory report that go beyond the form itself: what the reporter is told when the preliminary
// alert goes out, and what an abandoned urgent report leaves behind (the alerts themselves: sections/reports.ts).
import { translator, type Catalogue } from '../translator.js';

export const reportFiling = {
  'zh-CN': {
    'guidance.unable': '无法报警，先继续',
    'refused.nobody': '报告没有提交：既没有选择儿童，也没有描述这个孩子。请重新填写报告，选择儿童或描述孩子。',
    'risk.raisedByReport': '（{date}因强制报告 {ref} 由{from}上调）',
    'preliminary.sent': '🚨 紧急报告 {ref} 已发给督导员。',
    'abandoned.note': '⚠️ 紧急报告 {ref} 不会被撤销：督导员已收到警报，它作为“报告填写中”的紧急报告留给督导员处理。',
  },
  en: {
    'guidance.unable': 'Cannot call the police, continue',
    'refused.nobody': 'The report was not filed: it names no child and describes none. Please file it again, choosing the child or describing them.',
    'risk.raisedByReport': ' (raised from {from} by report {ref}, {date})',
    'preliminary.sent': '🚨 Urgent report {ref} has gone to the supervisors.',
    'abandoned.note': '⚠️ Urgent report {ref} is not withdrawn: the supervisors have been alerted, and it stays with them as a report “being filled in”.',
  },
} satisfies Catalogue<string>;

export type ReportFilingKey = keyof (typeof reportFiling)['zh-CN'];
export const reportFilingText = translator<ReportFilingKey>(reportFiling as Catalogue<ReportFilingKey>);
