// Texts of reading typed dates: asking before a year is assumed.
import { translator, type Catalogue } from '../translator.js';

export const dates = {
  'zh-CN': {
    'date.confirmYear': '您是指 {date} 吗？',
    'date.confirmYes': '是',
    'date.reenter': '重新输入',
  },
  en: {
    'date.confirmYear': 'Do you mean {date}?',
    'date.confirmYes': 'Yes',
    'date.reenter': 'Type it again',
  },
} as const;

export type DatesKey = keyof (typeof dates)['zh-CN'];
export const datesText = translator<DatesKey>(dates as Catalogue<DatesKey>);
