import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, ageOn, daysBetween, formatDay, isValidDay, parseDateInput, todayIn, yearOf } from '../../src/domain/dates.js';

describe('todayIn', () => {
  it.each([
    ['2026-11-22T17:00:00Z', 'Asia/Shanghai', '2026-11-23'],
    ['2026-11-22T15:59:59Z', 'Asia/Shanghai', '2026-11-22'],
    ['2026-11-22T16:00:00Z', 'Asia/Shanghai', '2026-11-23'],
    ['2026-11-22T17:00:00Z', 'UTC', '2026-11-22'],
    ['2026-11-23T03:00:00Z', 'America/New_York', '2026-11-22'],
    ['2026-12-31T16:30:00Z', 'Asia/Shanghai', '2027-01-01'],
    ['2024-02-28T16:00:00Z', 'Asia/Shanghai', '2024-02-29'],
    // DST change day in New York (clocks go back at 06:00Z); still one calendar day.
    ['2026-11-01T05:30:00Z', 'America/New_York', '2026-11-01'],
  ])('%s in %s is %s', (instant, zone, day) => {
    expect(todayIn(zone, new Date(instant))).toBe(day);
  });

  it('refuses an unknown time zone', () => {
    expect(() => todayIn('Mars/Olympus', new Date())).toThrow(RangeError);
  });
});

describe('addDays and daysBetween', () => {
  it.each([
    ['2026-11-23', 7, '2026-11-30'],
    ['2026-11-30', 1, '2026-12-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-29', 365, '2025-02-28'],
    ['2026-03-08', 1, '2026-03-09'], // US DST start week: UTC math is unaffected
    ['2026-01-31', 30, '2026-03-02'],
    ['2026-11-23', 0, '2026-11-23'],
  ])('%s plus %i days = %s', (day, n, expected) => {
    expect(addDays(day, n)).toBe(expected);
    expect(daysBetween(day, expected)).toBe(n);
    expect(daysBetween(expected, day)).toBe(0 - n);
  });

  it.each([
    ['2024-01-01', '2025-01-01', 366],
    ['2025-01-01', '2026-01-01', 365],
    ['2026-02-01', '2026-03-01', 28],
    ['2024-02-01', '2024-03-01', 29],
  ])('%s → %s is %d days', (from, to, n) => {
    expect(daysBetween(from, to)).toBe(n);
  });

  it('are inverse for any day and offset', () => {
    const day = fc
      .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        const later = addDays(d, n);
        return isValidDay(later) && daysBetween(d, later) === n;
      }),
    );
  });

  it('reject a malformed day', () => {
    expect(() => addDays('2026/11/23', 1)).toThrow(RangeError);
  });
});

describe('parseDateInput', () => {
  const today = '2026-11-23';
  it.each([
    ['2026-11-20', '2026-11-20'],
    ['2026/11/20', '2026-11-20'],
    ['2026.11.20', '2026-11-20'],
    ['2026-1-5', '2026-01-05'],
    ['20261120', '2026-11-20'],
    ['11-20', '2026-11-20'],
    ['11/20', '2026-11-20'],
    ['11.20', '2026-11-20'],
    ['11月20日', '2026-11-20'],
    ['11月20号', '2026-11-20'],
    ['11月20', '2026-11-20'],
    ['2026年11月20日', '2026-11-20'],
    ['2026 年 11 月 20 日', '2026-11-20'],
    ['今天', '2026-11-23'],
    ['昨天', '2026-11-22'],
    ['前天', '2026-11-21'],
    ['today', '2026-11-23'],
    ['Yesterday', '2026-11-22'],
    ['20 Nov', '2026-11-20'],
    ['Nov 20', '2026-11-20'],
    ['20 November', '2026-11-20'],
    ['November 20th', '2026-11-20'],
    ['Nov. 20, 2025', '2025-11-20'],
    ['20 Nov 2025', '2025-11-20'],
    ['２０２６－１１－２０', '2026-11-20'],
    ['１１月２０日', '2026-11-20'],
    ['  2026-11-20  ', '2026-11-20'],
    ['\u3000昨天\u3000', '2026-11-22'],
    // Month/day without a year: the most recent such day not after today.
    ['11月23日', '2026-11-23'],
    ['11月24日', '2025-11-24'],
    ['12-31', '2025-12-31'],
    ['1月1日', '2026-01-01'],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-28', '2026-02-28'],
    ['2026-04-30', '2026-04-30'],
    ['2026-12-31', '2026-12-31'],
  ])('%j → %s', (input, date) => {
    expect(parseDateInput(input, today)).toEqual({ ok: true, date });
  });

  it.each([
    ['2026-02-29'],
    ['2026-02-30'],
    ['2026-04-31'],
    ['2026-13-01'],
    ['2026-00-10'],
    ['2026-11-00'],
    ['20260230'],
    ['2026年2月29日'],
    ['2月30日'],
    ['13/20'],
    ['31 Apr'],
    ['20 Foo'],
    ['Smarch 3'],
    [''],
    ['   '],
    ['tomorrow-ish'],
    ['明天见'],
    ['2026-11-20x'],
    ['2026-11/20'],
    ['123'],
    ['1899-12-31'],
    ['constructor'],
    ['__proto__'],
  ])('%j is refused', (input) => {
    expect(parseDateInput(input, today)).toEqual({ ok: false });
  });

  it.each([
    // Year boundary: early January, a late-December day means last year.
    ['2026-01-03', '12月30日', '2025-12-30'],
    ['2026-01-03', '1月3日', '2026-01-03'],
    ['2026-01-03', '1月4日', '2025-01-04'],
    ['2026-01-03', '30 Dec', '2025-12-30'],
    // 29 February without a year.
    ['2024-03-10', '2月29日', '2024-02-29'],
    ['2025-02-28', '2月29日', '2024-02-29'], // 365 days back, still within the past year
    ['2028-01-10', '02-29', '2028-02-29'], // last one too far back: this year's
    ['2024-12-31', '1-1', '2024-01-01'],
    ['2025-01-01', '1/2', '2024-01-02'],
  ])('today %s: %j → %s', (todayDay, input, date) => {
    expect(parseDateInput(input, todayDay)).toEqual({ ok: true, date });
  });

  it.each([
    ['2025-03-01', '2月29日'], // 2024-02-29 is more than a year back and 2025 has none
    ['2026-11-23', '2/29'],
  ])('today %s: %j is refused', (todayDay, input) => {
    expect(parseDateInput(input, todayDay)).toEqual({ ok: false });
  });

  it('reads back every day it formats', () => {
    const day = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, (d) => {
        const zh = parseDateInput(formatDay(d, 'zh-CN', { withYear: true }), today);
        const en = parseDateInput(formatDay(d, 'en', { withYear: true }), today);
        const iso = parseDateInput(d, today);
        return [zh, en, iso].every((r) => r.ok && r.date === d);
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const r = parseDateInput(s, today);
        return !r.ok || isValidDay(r.date);
      }),
    );
  });
});

describe('formatDay', () => {
  it.each([
    ['2026-11-23', 'zh-CN', false, '11月23日'],
    ['2026-11-23', 'zh-CN', true, '2026年11月23日'],
    ['2026-11-23', 'en', false, '23 Nov'],
    ['2026-11-23', 'en', true, '23 Nov 2026'],
    ['2026-01-05', 'zh-CN', false, '1月5日'],
    ['2026-01-05', 'en', true, '5 Jan 2026'],
    ['2024-02-29', 'en', false, '29 Feb'],
  ] as const)('%s in %s (year: %s) → %s', (day, locale, withYear, text) => {
    expect(formatDay(day, locale, { withYear })).toBe(text);
  });

  it('leaves the year out by default', () => {
    expect(formatDay('2026-12-01', 'en')).toBe('1 Dec');
  });
});

describe('ageOn and yearOf', () => {
  it.each([
    ['2015-01-01', '2026-11-23', 11],
    ['2015-11-23', '2026-11-23', 11],
    ['2015-11-24', '2026-11-23', 10],
    ['2015-12-31', '2026-01-01', 10],
    ['2026-11-23', '2026-11-23', 0],
    ['2012-02-29', '2026-02-28', 13],
    ['2012-02-29', '2026-03-01', 14],
    ['2012-02-29', '2024-02-29', 12],
  ])('born %s, on %s: %d', (birth, today, age) => {
    expect(ageOn(birth, today)).toBe(age);
  });

  it('reads the year', () => {
    expect(yearOf('2026-11-23')).toBe(2026);
    expect(yearOf('1999-01-01')).toBe(1999);
  });
});
