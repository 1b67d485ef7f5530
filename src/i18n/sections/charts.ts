// Titles, legends and axis labels of the digest's charts: a chart must read on its own, without the text.
import { translator } from '../translator.js';

const zh = {
  'due.title': '逾期 / 今天到期的走访 · 按儿童主任',
  'due.overdue': '逾期',
  'due.today': '今天到期',
  'due.more': '另有 {count} 人未列出',
  'weekly.title': '近 8 周每周走访次数 · {area}',
  'weekly.axis': '周（从周一起）',
  'weekly.week': '{month}/{day}',
  'reports.title': '未结案的强制报告 · 按已过天数',
  'age.today': '不到 1 天',
  'age.days1to3': '1–3 天',
  'age.days4to7': '4–7 天',
  'age.days8to30': '8–30 天',
  'age.over30': '30 天以上',
  alt: '简报图表：按儿童主任的逾期与今天到期走访、近 8 周每周走访次数、未结案报告按已过天数',
} as const;

export type ChartKey = keyof typeof zh;

const en: Record<ChartKey, string> = {
  'due.title': 'Overdue / due-today visits · by caseworker',
  'due.overdue': 'overdue',
  'due.today': 'due today',
  'due.more': '{count} more not shown',
  'weekly.title': 'Visits per week, last 8 weeks · {area}',
  'weekly.axis': 'week (from Monday)',
  'weekly.week': '{day}/{month}',
  'reports.title': 'Open mandatory reports · by days since filed',
  'age.today': 'under 1 day',
  'age.days1to3': '1–3 days',
  'age.days4to7': '4–7 days',
  'age.days8to30': '8–30 days',
  'age.over30': 'over 30 days',
  alt: 'Digest charts: overdue and due-today visits by caseworker, visits per week over 8 weeks, open reports by age',
};

export const chartText = translator<ChartKey>({ 'zh-CN': zh, en });
