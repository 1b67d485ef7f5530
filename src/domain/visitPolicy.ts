// How soon a child must be visited again (DESIGN.md §4): a policy table maps (category, risk level) to days;
// the strictest applicable row wins, and a follow-up date set at the last visit can only bring the visit forward.
import type { RiskLevel } from '../db/schema.js';
import { addDays, daysBetween } from './dates.js';

export interface PolicyRow {
  /** A child category key, or '*' for the default that applies to every child. */
  category: string;
  riskLevel: RiskLevel;
  intervalDays: number;
}

export const defaultIntervals: Record<RiskLevel, number> = { red: 7, orange: 14, yellow: 30, green: 90 };
/** Left-behind and de-facto unsupported children are seen at least monthly whatever their level. */
const monthlyCategories = ['left_behind', 'de_facto_unsupported'];
const monthlyCap = 30;

const levels = Object.keys(defaultIntervals) as RiskLevel[];

export const defaultPolicy: PolicyRow[] = [
  ...levels.map((riskLevel) => ({ category: '*', riskLevel, intervalDays: defaultIntervals[riskLevel] })),
  ...monthlyCategories.flatMap((category) =>
    levels.map((riskLevel) => ({ category, riskLevel, intervalDays: Math.min(defaultIntervals[riskLevel], monthlyCap) })),
  ),
];

/**
 * The smallest interval among the '*' row and the rows of the child's categories for this risk level. When the
 * table has no applicable row at all (a damaged configuration), the built-in default keeps visits scheduled.
 */
export function visitIntervalDays(categories: readonly string[], risk: RiskLevel, rows: readonly PolicyRow[]): number {
  const applicable = rows.filter(
    (r) => r.riskLevel === risk && (r.category === '*' || categories.includes(r.category)) && r.intervalDays > 0,
  );
  if (applicable.length === 0) return defaultIntervals[risk];
  return Math.min(...applicable.map((r) => r.intervalDays));
}

/** The day the next visit is due: last visit + interval (never visited → today); an earlier follow-up wins. */
export function nextVisitDue(input: {
  lastVisitOn: string | null;
  categories: readonly string[];
  risk: RiskLevel;
  rows: readonly PolicyRow[];
  followUpOn?: string | null;
  today: string;
}): string {
  const byPolicy =
    input.lastVisitOn === null
      ? input.today
      : addDays(input.lastVisitOn, visitIntervalDays(input.categories, input.risk, input.rows));
  const followUp = input.followUpOn ?? null;
  return followUp !== null && followUp < byPolicy ? followUp : byPolicy;
}

/** Days past due on `today`; 0 when not yet due or no due date. */
export function overdueDays(nextDue: string | null, today: string): number {
  if (nextDue === null) return 0;
  return Math.max(0, daysBetween(nextDue, today));
}
