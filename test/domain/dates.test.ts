import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, ageOn, daysBetween, formatDay, isValidDay, todayIn, yearOf } from '../../src/domain/dates.js';

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

describe('formatDay', () => {
  it.each([
    ['2026-11-23', 'zh-CN', '11月23日'],
    ['2026-01-05', 'zh-CN', '1月5日'],
    ['2026-12-31', 'en', '31 Dec'],
    // Another year than the reader's today is always shown: a day a year off must not pass unnoticed.
    ['2025-12-10', 'zh-CN', '2025年12月10日'],
    ['2027-01-02', 'zh-CN', '2027年1月2日'],
    ['2025-12-10', 'en', '10 Dec 2025'],
    ['2024-02-29', 'en', '29 Feb 2024'],
  ] as const)('%s in %s, read on 2026-11-29 → %s', (day, locale, text) => {
    expect(formatDay(day, locale, { today: '2026-11-29' })).toBe(text);
  });

  it('shows the year when asked to', () => {
    expect(formatDay('2026-11-23', 'zh-CN', { withYear: true })).toBe('2026年11月23日');
    expect(formatDay('2026-01-05', 'en', { withYear: true })).toBe('5 Jan 2026');
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
