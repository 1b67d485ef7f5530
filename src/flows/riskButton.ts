// The button on a child's file that starts lowering its risk level (riskLower.ts): shown only to those who may.
import type { Button } from '../bot/message.js';
import type { ChildRow } from '../db/children.js';
import { levelsBelow } from '../domain/categories.js';
import { riskText } from '../i18n/sections/risk.js';
import type { Locale } from '../i18n/translator.js';
import { handlerRoles } from './reportForm.js';

export const riskButtonPrefix = 'k.low.';

/** Supervisors (for children of their area: the file is read in their scope) and admins. */
export const mayLower = (role: string): boolean => (handlerRoles as readonly string[]).includes(role);

/** The button, for those who may lower the level — none when it is already the lowest. */
export function lowerRiskButton(locale: Locale, role: string, child: Pick<ChildRow, 'id' | 'riskLevel'>): Button | undefined {
  if (!mayLower(role) || levelsBelow(child.riskLevel).length === 0) return undefined;
  return { label: riskText(locale, 'button.lower'), data: `${riskButtonPrefix}${child.id}` };
}
