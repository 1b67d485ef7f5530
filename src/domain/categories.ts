// The domain's fixed vocabularies (DESIGN.md §4). Keys are stable English identifiers stored in the database;
// the i18n catalogues give the words shown to people.
import type { RiskLevel } from '../db/schema.js';
import { normalizeDigits } from './text.js';

export type { RiskLevel } from '../db/schema.js';

export const childCategories = [
  'institutional_orphan',
  'community_orphan',
  'de_facto_unsupported',
  'left_behind',
  'in_distress',
  'disabled',
  'migrant',
] as const;
export type ChildCategory = (typeof childCategories)[number];

/** Ascending severity: the index is the rank. */
export const riskLevels = ['green', 'yellow', 'orange', 'red'] as const satisfies readonly RiskLevel[];
// Compile-time check that the list above covers every RiskLevel of the schema.
type MissingRiskLevel = Exclude<RiskLevel, (typeof riskLevels)[number]>;
const _allRiskLevelsListed: MissingRiskLevel extends never ? true : never = true;

export function riskRank(level: RiskLevel): number {
  return riskLevels.indexOf(level);
}

/** The levels a supervisor may lower a child's risk to: those below the current one, most severe first. */
export function levelsBelow(level: RiskLevel): RiskLevel[] {
  return riskLevels.slice(0, riskRank(level)).reverse();
}

export const riskEmoji: Record<RiskLevel, string> = { green: '🟢', yellow: '🟡', orange: '🟠', red: '🔴' };

export const dimensions = ['health', 'mental', 'education', 'hygiene', 'living', 'guardianship'] as const;
export type Dimension = (typeof dimensions)[number];

export const dimensionLevels = ['fine', 'concern', 'serious'] as const;
export type DimensionLevel = (typeof dimensionLevels)[number];

export const visitKinds = ['home', 'school', 'phone', 'video'] as const;
export type VisitKind = (typeof visitKinds)[number];

/** The situations of the 2020 mandatory-reporting rules (强制报告), in the order the rules list them. */
export const reportSituations = [
  'private_injury',
  'sexual_abuse_under14',
  'pregnancy_14plus',
  'injuries_violence',
  'self_harm_abnormal',
  'abandonment',
  'missing_trafficked',
  'organised_begging',
  'other_danger',
] as const;
export type ReportSituation = (typeof reportSituations)[number];

export function isChildCategory(value: string): value is ChildCategory {
  return (childCategories as readonly string[]).includes(value);
}

export function isRiskLevel(value: string): value is RiskLevel {
  return (riskLevels as readonly string[]).includes(value);
}

// Names found in county rosters (official names and the usual short forms). A Map, so that cells such as
// 'constructor' never hit Object.prototype.
const categoryNames = new Map<string, ChildCategory>(
  Object.entries({
    机构养育孤儿: 'institutional_orphan',
    机构孤儿: 'institutional_orphan',
    社会散居孤儿: 'community_orphan',
    散居孤儿: 'community_orphan',
    事实无人抚养儿童: 'de_facto_unsupported',
    事实无人抚养: 'de_facto_unsupported',
    农村留守儿童: 'left_behind',
    留守儿童: 'left_behind',
    困境儿童: 'in_distress',
    残疾儿童: 'disabled',
    流动儿童: 'migrant',
  } satisfies Record<string, ChildCategory>),
);

/** A roster cell → category key; accepts the Chinese names and the English keys (any case, `-` or space for `_`). */
export function categoryFromText(text: string): ChildCategory | undefined {
  const compact = normalizeDigits(text).trim();
  const chinese = categoryNames.get(compact.replace(/\s+/g, ''));
  if (chinese) return chinese;
  const key = compact.toLowerCase().replace(/[\s-]+/g, '_');
  return isChildCategory(key) ? key : undefined;
}
