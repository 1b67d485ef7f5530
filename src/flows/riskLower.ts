// 下调风险等级: a supervisor of the child's area (or an admin) lowers a child's risk level, with a reason, after
// confirming. Reached from the child's file and from a report's card. The level, its history row (risk_changes:
// from, to, reason, who) and the audit row are written in one transaction; the child's file then says who lowered
// it and why. A caseworker, or a supervisor of another area, is refused and audited — whatever button they send.
import { message, rich } from '../bot/message.js';
import type { ActionContext } from '../bot/core.js';
import { audit } from '../db/audit.js';
import { childForActor } from '../db/children.js';
import { lowerRisk } from '../db/risk.js';
import { reportEvents } from '../db/schema.js';
import { levelsBelow, riskLevels, type RiskLevel } from '../domain/categories.js';
import { nameOf, riskNames } from '../i18n/domain.js';
import { riskText } from '../i18n/sections/risk.js';
import type { Locale } from '../i18n/translator.js';
import { chosenChild } from './childInfo.js';
import { handlerRoles, noteParser } from './reportForm.js';
import { mayLower, riskButtonPrefix } from './riskButton.js';
import type { Turn } from './runtime.js';
import { statusFlow } from './status.js';
import type { Answers, Flow, FlowContext } from './types.js';

const REASON_MAX = 500;
const buttonData = /^k\.low\.(\d{1,10})$/;

const level = (locale: Locale, l: string) => nameOf(riskNames, locale, l);
async function refuseRole(ctx: FlowContext, childId: number | null): Promise<Turn> {
  await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'child.risk_denied', childId, detail: { role: ctx.actor.role } });
  return { replies: [message(riskText(ctx.locale, 'notAllowed'))] };
}

/**
 * Starts the form for a child named by a button (the file's `k.low.<child>`, or a report's card with the report):
 * the role and the child's place in the presser's area are checked here, and again when the form is confirmed.
 */
export async function startLowering(ctx: ActionContext, rawChild: unknown, reportId?: number): Promise<Turn> {
  if (!mayLower(ctx.actor.role)) return refuseRole(ctx, null);
  const child = await childForActor(ctx.tx, ctx.actor, rawChild, ctx.channel);
  if (!child) return { replies: [message(riskText(ctx.locale, 'notAllowed'))] };
  if (levelsBelow(child.riskLevel).length === 0) {
    return { replies: [message(riskText(ctx.locale, 'lowest', { child: child.name, current: level(ctx.locale, child.riskLevel) }))] };
  }
  return ctx.runtime.start(ctx, riskLowerFlow.name, { child: child.id, ...(reportId === undefined ? {} : { report: reportId }) });
}

async function handleRiskButton(ctx: ActionContext, data: string): Promise<Turn> {
  const parsed = buttonData.exec(data);
  return startLowering(ctx, parsed?.[1] ?? data.slice(riskButtonPrefix.length));
}

export function registerRiskButtons(core: { onAction(prefix: string, handler: (ctx: ActionContext, data: string) => Promise<Turn>): void }): void {
  core.onAction(riskButtonPrefix, handleRiskButton);
}

const chosenLevel = (answers: Answers): RiskLevel | undefined => riskLevels.find((l) => l === answers.level);

export const riskLowerFlow: Flow = {
  name: 'risk-lower',
  title: { 'zh-CN': '下调风险等级', en: 'Lower a risk level' },
  confirm: true,
  roles: handlerRoles,
  steps: [
    {
      id: 'level',
      kind: 'choice',
      columns: 3,
      async prompt(ctx, answers) {
        const child = await chosenChild(ctx, answers);
        return rich(riskText(ctx.locale, 'ask.level', { child: child.name, current: level(ctx.locale, child.riskLevel) }));
      },
      async choices(ctx, answers) {
        const child = await chosenChild(ctx, answers);
        return levelsBelow(child.riskLevel).map((l) => ({ value: l, label: level(ctx.locale, l) }));
      },
      display: (v, ctx) => level(ctx.locale, String(v)),
    },
    { id: 'reason', kind: 'text', prompt: (ctx) => rich(riskText(ctx.locale, 'ask.reason')), parse: noteParser(REASON_MAX) },
  ],

  async summary(ctx, answers) {
    const child = await chosenChild(ctx, answers);
    return rich(
      riskText(ctx.locale, 'summary', {
        child: child.name,
        from: level(ctx.locale, child.riskLevel),
        to: level(ctx.locale, String(answers.level)),
        reason: String(answers.reason ?? ''),
      }),
    );
  },

  async commit(ctx, answers) {
    // The role may have changed since the form was started: checked again, like the child's place in the area.
    if (!mayLower(ctx.actor.role)) return (await refuseRole(ctx, null)).replies;
    const child = await chosenChild(ctx, answers);
    const to = chosenLevel(answers);
    if (!to) throw new Error('risk-lower: no level chosen');
    const reason = String(answers.reason ?? '').trim();
    if (!reason) throw new Error('risk-lower: no reason given');
    const reportId = typeof answers.report === 'number' ? answers.report : undefined;
    const result = await lowerRisk(ctx.tx, { childId: child.id, to, reason, reportId, staffId: ctx.actor.staffId, at: ctx.now });
    const names = { child: child.name, to: level(ctx.locale, to) };
    if (!result.lowered) return [message(riskText(ctx.locale, 'notLower', { ...names, current: level(ctx.locale, result.current) }))];
    const detail = { from: result.from, to, reason };
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'child.risk_lowered', childId: child.id, reportId: reportId ?? null, detail, at: ctx.now });
    // Lowered from a report's card: the report's history says so too (its audit row is the one above).
    if (reportId !== undefined) await ctx.tx.insert(reportEvents).values({ reportId, kind: 'risk_lowered', staffId: ctx.actor.staffId, detail, at: ctx.now });
    const file = await statusFlow.commit({ ...ctx, memo: new Map() }, { child: child.id });
    return [message(riskText(ctx.locale, 'lowered', { ...names, from: level(ctx.locale, result.from) })), ...file];
  },
};
