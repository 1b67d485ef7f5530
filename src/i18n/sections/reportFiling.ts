// Texts of filing a mandatory report that go beyond the form itself: what the reporter is told when the preliminary
// alert goes out, and what an abandoned urgent report leaves behind (the alerts themselves: sections/reports.ts).
import { translator, type Catalogue } from '../translator.js';

export const reportFiling = {
  'zh-CN': {
    'guidance.unable': '无法报警，先继续',
    'when.ask': '什么时候发生或发现的？选日期，或直接输入（如：今天下午3点）',
    'time.ask': '大约几点？（可输入 15:30，或点按钮；不清楚可跳过）',
    'time.morning': '上午',
    'time.afternoon': '下午',
    'time.evening': '晚上',
    'time.unrecognised': '没看懂这个时间。可以输入 15:30、下午3点，或点按钮。',
    'time.future': '这个时间还没到，请核对。',
    'refused.nobody': '报告没有提交：既没有选择儿童，也没有描述这个孩子。请重新填写报告，选择儿童或描述孩子。',
    'risk.raisedByReport': '（{date}因强制报告 {ref} 由{from}上调）',
    'preliminary.sent': '🚨 紧急报告 {ref} 已发给督导员。',
    'abandoned.note': '⚠️ 紧急报告 {ref} 不会被撤销：督导员已收到警报，它作为“报告填写中”的紧急报告留给督导员处理。',
  },
  en: {
    'guidance.unable': 'Cannot call the police, continue',
    'when.ask': 'When did it happen or when was it found? Pick the day, or type it (e.g. today 3 pm)',
    'time.ask': 'Roughly what time? (type 15:30, or tap a button; skip if unknown)',
    'time.morning': 'morning',
    'time.afternoon': 'afternoon',
    'time.evening': 'evening',
    'time.unrecognised': 'That time was not understood. Type e.g. 15:30 or 3 pm, or tap a button.',
    'time.future': 'That time has not come yet; please check it.',
    'refused.nobody': 'The report was not filed: it names no child and describes none. Please file it again, choosing the child or describing them.',
    'risk.raisedByReport': ' (raised from {from} by report {ref}, {date})',
    'preliminary.sent': '🚨 Urgent report {ref} has gone to the supervisors.',
    'abandoned.note': '⚠️ Urgent report {ref} is not withdrawn: the supervisors have been alerted, and it stays with them as a report “being filled in”.',
  },
} satisfies Catalogue<string>;

export type ReportFilingKey = keyof (typeof reportFiling)['zh-CN'];
export const reportFilingText = translator<ReportFilingKey>(reportFiling as Catalogue<ReportFilingKey>);
