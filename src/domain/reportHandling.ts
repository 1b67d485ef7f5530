// What a supervisor records while handling a mandatory report (处置) and how it ends (结案): enumerated, so exports
// and the county's statistics can count them.

/** 报警/公安介入, 就医, 临时监护/亲属照料, 转介未成年人保护中心, 转介学校/妇联, 家庭教育指导, 其他 (with a note). */
export const reportActions = ['police', 'medical', 'custody', 'protection_centre', 'school_or_womens_federation', 'family_education', 'other'] as const;
export type ReportAction = (typeof reportActions)[number];

/** 已妥善处置, 转交有关部门, 经核实无需干预, 其他. */
export const reportOutcomes = ['resolved', 'transferred', 'no_intervention', 'other'] as const;
export type ReportOutcome = (typeof reportOutcomes)[number];

/** Days until the follow-up visit a supervisor sets, by default: a red (immediate danger) report is seen within 3. */
export function defaultFollowUpDays(immediateDanger: boolean): number {
  return immediateDanger ? 3 : 7;
}

/** An acknowledged report with no handling for this long climbs the tree again. */
export const STALLED_HOURS = 24;
