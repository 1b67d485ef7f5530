import { describe, expect, it } from 'vitest';
import { monthLabel, monthSpan, previousMonth } from '../../src/domain/months.js';

describe('months as reported', () => {
  it('counts a running month up to today, a past month whole, and refuses one not begun', () => {
    expect(monthSpan('2026-11', '2026-11-23')).toEqual({ month: '2026-11', from: '2026-11-01', through: '2026-11-23', running: true });
    expect(monthSpan('2026-02', '2026-11-23')).toEqual({ month: '2026-02', from: '2026-02-01', through: '2026-02-28', running: false });
    expect(monthSpan('2028-02', '2028-03-01')?.through).toBe('2028-02-29');
    expect(monthSpan('2026-11', '2026-11-30')).toMatchObject({ through: '2026-11-30', running: true });
    expect(monthSpan('2026-12', '2026-11-30')).toBeUndefined();
  });

  it('steps back across a year and names months the way a county writes them', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(monthLabel('2026-11', 'zh-CN')).toBe('2026年11月');
    expect(monthLabel('2026-01', 'en')).toBe('Jan 2026');
  });
});
