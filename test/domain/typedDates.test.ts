// Dates as caseworkers type them, read on a fixed day: Sunday 29 November 2026 (the week began Monday the 23rd).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDay, isValidDay } from '../../src/domain/dates.js';
import { readTypedDate, type Direction } from '../../src/domain/typedDates.js';

const today = '2026-11-29';

// [typed, direction, expected]: a day; `ask:` a day whose year (or month) was filled in far from today and is
// confirmed before use; `—` not a date.
const table: [string, Direction, string][] = [
  // With a year: taken as typed, near or far.
  ['2026-11-20', 'past', '2026-11-20'],
  ['2026/11/20', 'past', '2026-11-20'],
  ['2026.11.20', 'past', '2026-11-20'],
  ['2026-1-5', 'past', '2026-01-05'],
  ['20261120', 'past', '2026-11-20'],
  ['2026年11月20日', 'past', '2026-11-20'],
  ['2026 年 11 月 20 日', 'past', '2026-11-20'],
  ['2025年12月10日', 'past', '2025-12-10'],
  ['二〇二五年十二月十日', 'past', '2025-12-10'],
  ['2019-03-08', 'past', '2019-03-08'],
  ['2026-11-30', 'past', '2026-11-30'],
  ['2024-02-29', 'past', '2024-02-29'],
  ['Nov. 20, 2025', 'past', '2025-11-20'],
  ['20 Nov 2025', 'past', '2025-11-20'],
  ['10 December 2025', 'past', '2025-12-10'],
  // Full-width digits and spaces from Chinese keyboards.
  ['２０２６－１１－２０', 'past', '2026-11-20'],
  ['１１月２０日', 'past', '2026-11-20'],
  ['  2026-11-20  ', 'past', '2026-11-20'],
  ['\u3000昨天\u3000', 'past', '2026-11-28'],
  ['３天前', 'past', '2026-11-26'],
  // Without a year, within 60 days back: the most recent such day.
  ['11月20日', 'past', '2026-11-20'],
  ['11月20号', 'past', '2026-11-20'],
  ['11月20', 'past', '2026-11-20'],
  ['11-20', 'past', '2026-11-20'],
  ['11/20', 'past', '2026-11-20'],
  ['11.20', 'past', '2026-11-20'],
  ['十一月二十日', 'past', '2026-11-20'],
  ['十一月二十号', 'past', '2026-11-20'],
  ['10月5日', 'past', '2026-10-05'],
  ['11月29日', 'past', '2026-11-29'],
  ['20 Nov', 'past', '2026-11-20'],
  ['Nov 20', 'past', '2026-11-20'],
  ['November 20th', 'past', '2026-11-20'],
  ['20号', 'past', '2026-11-20'],
  ['二十号', 'past', '2026-11-20'],
  ['1号', 'past', '2026-11-01'],
  ['31号', 'past', '2026-10-31'],
  ['上个月15号', 'past', '2026-10-15'],
  // Without a year, further back than 60 days or ahead of today: asked, never assumed.
  ['12月10日', 'past', 'ask:2025-12-10'],
  ['11月30日', 'past', 'ask:2025-11-30'],
  ['12/10', 'past', 'ask:2025-12-10'],
  ['Dec 10', 'past', 'ask:2025-12-10'],
  ['9月1日', 'past', 'ask:2026-09-01'],
  ['2月29日', 'past', 'ask:2024-02-29'],
  // Relative days.
  ['今天', 'past', '2026-11-29'],
  ['昨天', 'past', '2026-11-28'],
  ['前天', 'past', '2026-11-27'],
  ['大前天', 'past', '2026-11-26'],
  ['today', 'past', '2026-11-29'],
  ['Yesterday', 'past', '2026-11-28'],
  ['3天前', 'past', '2026-11-26'],
  ['三天前', 'past', '2026-11-26'],
  ['十天前', 'past', '2026-11-19'],
  ['两周前', 'past', '2026-11-15'],
  ['3 days ago', 'past', '2026-11-26'],
  ['two days ago', 'past', '2026-11-27'],
  ['a week ago', 'past', '2026-11-22'],
  // Future days are read (and then refused as future by the visit's rule, not as unreadable).
  ['明天', 'past', '2026-11-30'],
  ['后天', 'past', '2026-12-01'],
  ['tomorrow', 'past', '2026-11-30'],
  // Weekdays: weeks start on Monday; a bare weekday is the most recent one not after today.
  ['上周三', 'past', '2026-11-18'],
  ['上星期三', 'past', '2026-11-18'],
  ['上周日', 'past', '2026-11-22'],
  ['上上周五', 'past', '2026-11-13'],
  ['周三', 'past', '2026-11-25'],
  ['星期三', 'past', '2026-11-25'],
  ['礼拜三', 'past', '2026-11-25'],
  ['周日', 'past', '2026-11-29'],
  ['星期天', 'past', '2026-11-29'],
  ['本周一', 'past', '2026-11-23'],
  ['这周五', 'past', '2026-11-27'],
  ['下周一', 'past', '2026-11-30'],
  ['wednesday', 'past', '2026-11-25'],
  ['last Wednesday', 'past', '2026-11-25'],
  ['last Sunday', 'past', '2026-11-22'],
  // Ahead (a next-visit date): the nearest such day on or after today.
  ['12月10日', 'ahead', '2026-12-10'],
  ['Dec 10', 'ahead', '2026-12-10'],
  ['20号', 'ahead', '2026-12-20'],
  ['周三', 'ahead', '2026-12-02'],
  ['next Monday', 'ahead', '2026-11-30'],
  ['3月1日', 'ahead', 'ask:2027-03-01'],
  // Nonsense and days that do not exist.
  ['2026-02-29', 'past', '—'],
  ['2026-02-30', 'past', '—'],
  ['2026-04-31', 'past', '—'],
  ['2026-13-01', 'past', '—'],
  ['20260230', 'past', '—'],
  ['2026年2月29日', 'past', '—'],
  ['2月30日', 'past', '—'],
  ['13/20', 'past', '—'],
  ['32号', 'past', '—'],
  ['31 Apr', 'past', '—'],
  ['Smarch 3', 'past', '—'],
  ['1899-12-31', 'past', '—'],
  ['', 'past', '—'],
  ['   ', 'past', '—'],
  ['明天见', 'past', '—'],
  ['tomorrow-ish', 'past', '—'],
  ['去年某天', 'past', '—'],
  ['周八', 'past', '—'],
  ['123', 'past', '—'],
  ['2026-11-20x', 'past', '—'],
  ['constructor', 'past', '—'],
  ['__proto__', 'past', '—'],
];

describe('readTypedDate', () => {
  it('has a table of at least 60 forms', () => {
    expect(table.length).toBeGreaterThanOrEqual(60);
  });

  it.each(table)('%j (%s) → %s', (typed, direction, expected) => {
    const read = readTypedDate(typed, today, direction);
    if (expected === '—') expect(read).toEqual({ ok: false });
    else if (expected.startsWith('ask:')) expect(read).toEqual({ ok: true, date: expected.slice(4), guessed: true });
    else expect(read).toEqual({ ok: true, date: expected });
  });

  it.each([
    // Across the new year: late December typed in early January is last December, within the window.
    ['2027-01-03', '12月30日', '2026-12-30'],
    ['2027-01-03', '30 Dec', '2026-12-30'],
    ['2027-01-03', '上周三', '2026-12-23'],
    ['2027-01-03', '3号', '2027-01-03'],
    ['2027-01-01', '31号', '2026-12-31'],
  ])('on %s, %j → %s', (on, typed, date) => {
    expect(readTypedDate(typed, on)).toEqual({ ok: true, date });
  });

  it('reads back every day it formats with its year', () => {
    const day = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, (d) =>
        [formatDay(d, 'zh-CN', { withYear: true }), formatDay(d, 'en', { withYear: true }), d]
          .map((typed) => readTypedDate(typed, today))
          .every((r) => r.ok && r.date === d && !r.guessed),
      ),
    );
  });

  it('never throws and never returns a day that does not exist', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.constantFrom<Direction>('past', 'ahead'), (s, direction) => {
        const r = readTypedDate(s, today, direction);
        return !r.ok || isValidDay(r.date);
      }),
    );
  });
});
