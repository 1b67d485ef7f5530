import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { riskLevels } from '../../src/domain/categories.js';
import { addDays } from '../../src/domain/dates.js';
import { defaultPolicy, nextVisitDue, overdueDays, type PolicyRow, visitIntervalDays } from '../../src/domain/visitPolicy.js';

describe('defaultPolicy', () => {
  it.each([
    [[], 'red', 7],
    [[], 'orange', 14],
    [[], 'yellow', 30],
    [[], 'green', 90],
    [['institutional_orphan'], 'green', 90],
    [['left_behind'], 'green', 30],
    [['left_behind'], 'yellow', 30],
    [['left_behind'], 'orange', 14],
    [['left_behind'], 'red', 7],
    [['de_facto_unsupported'], 'green', 30],
    [['disabled', 'de_facto_unsupported'], 'green', 30],
    [['migrant', 'in_distress'], 'green', 90],
  ] as const)('%j at %s: every %d days', (categories, risk, days) => {
    expect(visitIntervalDays(categories, risk, defaultPolicy)).toBe(days);
  });

  it('gives the same intervals as the default policy migration', () => {
    const sql = readFileSync(new URL('../../drizzle/0002_default_visit_policy.sql', import.meta.url), 'utf8');
    const migrated: PolicyRow[] = [...sql.matchAll(/\('([^']+)',\s*'(\w+)',\s*(\d+)\)/g)].map((m) => ({
      category: m[1] ?? '',
      riskLevel: m[2] as PolicyRow['riskLevel'],
      intervalDays: Number(m[3]),
    }));
    expect(migrated.length).toBeGreaterThanOrEqual(4);
    const groups = [[], ['left_behind'], ['de_facto_unsupported'], ['migrant'], ['left_behind', 'disabled']];
    for (const categories of groups) {
      for (const risk of riskLevels) {
        expect(visitIntervalDays(categories, risk, migrated)).toBe(visitIntervalDays(categories, risk, defaultPolicy));
      }
    }
  });
});

describe('visitIntervalDays', () => {
  const rows: PolicyRow[] = [
    { category: '*', riskLevel: 'green', intervalDays: 90 },
    { category: 'disabled', riskLevel: 'green', intervalDays: 60 },
    { category: 'migrant', riskLevel: 'green', intervalDays: 45 },
    { category: 'institutional_orphan', riskLevel: 'green', intervalDays: 120 },
    { category: 'migrant', riskLevel: 'red', intervalDays: 3 },
  ];

  it.each([
    [['disabled'], 'green', 60],
    [['migrant'], 'green', 45],
    [['disabled', 'migrant'], 'green', 45],
    // A longer category row never relaxes the default.
    [['institutional_orphan'], 'green', 90],
    [['community_orphan'], 'green', 90],
  ] as const)('%j at %s → %d', (categories, risk, days) => {
    expect(visitIntervalDays(categories, risk, rows)).toBe(days);
  });

  it('takes the category row of the right risk level only', () => {
    expect(visitIntervalDays(['migrant'], 'red', rows)).toBe(3);
    expect(visitIntervalDays(['disabled'], 'red', rows)).toBe(7); // no red row at all: built-in default
  });

  it('falls back to the built-in default when the table is empty, and ignores non-positive intervals', () => {
    expect(visitIntervalDays([], 'orange', [])).toBe(14);
    expect(visitIntervalDays([], 'green', [{ category: '*', riskLevel: 'green', intervalDays: 0 }])).toBe(90);
  });
});

describe('nextVisitDue', () => {
  const base = { categories: [] as string[], rows: defaultPolicy, today: '2026-11-23' };

  it.each([
    ['2026-11-20', 'red', '2026-11-27'],
    ['2026-11-20', 'orange', '2026-12-04'],
    ['2026-12-15', 'yellow', '2027-01-14'],
    ['2026-11-20', 'green', '2027-02-18'],
    ['2024-02-22', 'red', '2024-02-29'],
    ['2026-02-22', 'red', '2026-03-01'],
    ['2023-12-01', 'green', '2024-02-29'],
    ['2024-01-31', 'yellow', '2024-03-01'],
    ['2026-01-31', 'yellow', '2026-03-02'],
  ] as const)('last visit %s, %s → due %s', (lastVisitOn, risk, due) => {
    expect(nextVisitDue({ ...base, lastVisitOn, risk })).toBe(due);
  });

  it('is due today for a child never visited', () => {
    expect(nextVisitDue({ ...base, lastVisitOn: null, risk: 'green' })).toBe('2026-11-23');
  });

  it('lets an earlier follow-up date win, never a later one', () => {
    const last = { ...base, lastVisitOn: '2026-11-20', risk: 'green' as const };
    expect(nextVisitDue({ ...last, followUpOn: '2026-12-01' })).toBe('2026-12-01');
    expect(nextVisitDue({ ...last, followUpOn: '2027-06-01' })).toBe(addDays('2026-11-20', 90));
    expect(nextVisitDue({ ...last, followUpOn: null })).toBe(addDays('2026-11-20', 90));
    expect(nextVisitDue({ ...base, lastVisitOn: null, risk: 'green', followUpOn: '2026-11-01' })).toBe('2026-11-01');
  });

  it('caps a left-behind child at 30 days', () => {
    expect(nextVisitDue({ ...base, categories: ['left_behind'], lastVisitOn: '2026-11-20', risk: 'green' })).toBe(
      '2026-12-20',
    );
  });
});

describe('overdueDays', () => {
  it.each([
    ['2026-11-23', '2026-11-23', 0],
    ['2026-11-30', '2026-11-23', 0],
    ['2026-11-22', '2026-11-23', 1],
    ['2026-10-31', '2026-11-23', 23],
    ['2024-02-28', '2024-03-01', 2],
    ['2025-12-25', '2026-01-03', 9],
  ])('due %s, today %s: %d days overdue', (due, today, days) => {
    expect(overdueDays(due, today)).toBe(days);
  });

  it('is 0 without a due date', () => {
    expect(overdueDays(null, '2026-11-23')).toBe(0);
  });
});
