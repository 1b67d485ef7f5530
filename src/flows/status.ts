// Check a child's status (一人一档): the child's file in one message, with buttons to act on it.
import { bold, message, rich, type Button, type Rich } from '../bot/message.js';
import { audit } from '../db/audit.js';
import { childFile } from '../db/children.js';
import { lastRiskChange } from '../db/risk.js';
import { dimensions, riskRank } from '../domain/categories.js';
import { ageOn, formatDay, todayIn } from '../domain/dates.js';
import { maskPhone } from '../domain/mask.js';
import { overdueDays } from '../domain/visitPolicy.js';
import { coreText } from '../i18n/core.js';
import { categoryNames, dimensionNames, levelNames, nameOf, riskNames, sexNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { reportFilingText } from '../i18n/sections/reportFiling.js';
import { reportText } from '../i18n/sections/reports.js';
import { riskText } from '../i18n/sections/risk.js';
import { chosenChild } from './childInfo.js';
import { lowerRiskButton } from './riskButton.js';
import type { Flow, FlowContext } from './types.js';

/**
 * Why the level is what it is, from its latest change: raised by a report ("（11月23日因强制报告 BG-2026-000001 由🟡
 * 黄色上调）"), or lowered by a supervisor, who and why ("（11月25日赵督导员由🔴 红色下调：已由外婆接回照料）").
 */
async function riskReason(ctx: FlowContext, childId: number): Promise<string> {
  const last = await lastRiskChange(ctx.tx, childId);
  if (!last) return '';
  const date = formatDay(todayIn(ctx.config.TZ_NAME, last.at), ctx.locale, ctx);
  const from = nameOf(riskNames, ctx.locale, last.from);
  if (riskRank(last.to) < riskRank(last.from)) return riskText(ctx.locale, 'card.lowered', { date, from, name: last.staffName ?? '—', reason: last.reason });
  if (!last.reportRef) return '';
  // As with the open reports below: a caseworker is not shown the reference of a report someone else filed.
  if (ctx.actor.role === 'caseworker' && last.reporterStaffId !== ctx.actor.staffId) return reportText(ctx.locale, 'card.raisedByReport', { date, from });
  return reportFilingText(ctx.locale, 'risk.raisedByReport', { ref: last.reportRef, date, from });
}

export const statusFlow: Flow = {
  name: 'status',
  title: { 'zh-CN': '查看儿童档案', en: 'Child’s file' },
  confirm: false,
  steps: [{ id: 'child', kind: 'child', includePending: true, prompt: (ctx) => rich(flowText(ctx.locale, 'status.child')) }],

  async commit(ctx, answers) {
    const child = await chosenChild(ctx, answers);
    const file = await childFile(ctx.tx, child);
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'child.read', childId: child.id });
    const t = (key: Parameters<typeof flowText>[1], params?: Record<string, string | number>) => flowText(ctx.locale, key, params);
    const text: Rich = rich(bold(child.name));
    const facts = [
      child.sex ? nameOf(sexNames, ctx.locale, child.sex) : null,
      child.birthDate ? t('child.age', { n: ageOn(child.birthDate, ctx.today) }) : null,
      file.village,
    ].filter(Boolean);
    text.push(...rich(`  ${facts.join(' · ')}`, child.status === 'pending' ? ` · ${t('status.pending')}` : ''));
    if (child.categories.length) text.push(...rich('\n', t('status.categories'), child.categories.map((c) => nameOf(categoryNames, ctx.locale, c)).join('、')));
    text.push(...rich('\n', t('status.risk'), nameOf(riskNames, ctx.locale, child.riskLevel), await riskReason(ctx, child.id)));
    if (child.guardianName) {
      text.push(...rich('\n', t('status.guardian'), child.guardianName, child.guardianRelation ? `（${child.guardianRelation}）` : '', child.guardianPhone ? ` ${maskPhone(child.guardianPhone)}` : ''));
    }
    text.push(...rich('\n', t('status.caseworker'), file.caseworker ?? t('status.none')));
    if (file.lastVisit) {
      const flagged = dimensions.filter((d) => file.lastVisit!.dimensions[d] && file.lastVisit!.dimensions[d]!.level !== 'fine');
      text.push(...rich('\n', t('status.lastVisit', { date: formatDay(file.lastVisit.visitedOn, ctx.locale, ctx) })));
      text.push(...rich(flagged.length === 0 ? t('status.allFine') : flagged.map((d) => `${nameOf(dimensionNames, ctx.locale, d)}${nameOf(levelNames, ctx.locale, file.lastVisit!.dimensions[d]!.level)}`).join('、')));
    } else {
      text.push(...rich('\n', t('status.neverVisited')));
    }
    if (child.nextVisitDue) {
      const late = overdueDays(child.nextVisitDue, ctx.today);
      text.push(...rich('\n', t('status.nextVisit', { date: formatDay(child.nextVisitDue, ctx.locale, ctx) })));
      if (late > 0) text.push(...rich(' ', bold(t('status.overdue', { n: late }))));
    }
    if (file.openReports.length) {
      // A report's reference leads to its reporter: a caseworker sees those they filed, and only a count of the rest.
      const own = ctx.actor.role === 'caseworker' ? file.openReports.filter((r) => r.reporterStaffId === ctx.actor.staffId) : file.openReports;
      const shown = own.map((r) => `${r.ref}（${reportText(ctx.locale, `status.${r.status}`)}）`);
      const others = file.openReports.length - own.length;
      if (others > 0) shown.push(reportText(ctx.locale, 'card.othersOpen', { n: others }));
      text.push(...rich('\n', t('status.openReports'), shown.join('、')));
    }
    const buttons: Button[][] = child.status === 'active'
      ? [[{ label: coreText(ctx.locale, 'status.startVisit'), data: `v.start.${child.id}` }, { label: coreText(ctx.locale, 'status.startReport'), data: `r.start.${child.id}` }]]
      : [[{ label: coreText(ctx.locale, 'status.startReport'), data: `r.start.${child.id}` }]];
    const lower = lowerRiskButton(ctx.locale, ctx.actor.role, child);
    if (lower) buttons.push([lower]);
    return [message(text, buttons)];
  },
};
