// The supervisor's escalation list: visits overdue long enough to have reached them (see the scheduler's
// visit escalation). A read-only command: it never touches a draft in progress.
import { bold, message, rich } from '../bot/message.js';
import { audit } from '../db/audit.js';
import { daysBetween, formatDay } from '../domain/dates.js';
import { flowText } from '../i18n/flows.js';
import { escalationListFor } from '../scheduler/visitEscalation.js';
import type { Flow } from './types.js';

const SHOWN = 20;

export const overdueFlow: Flow = {
  name: 'overdue',
  title: { 'zh-CN': '逾期上报名单', en: 'Escalated overdue visits' },
  confirm: false,
  roles: ['supervisor', 'admin'],
  steps: [],
  async commit(ctx) {
    const list = await escalationListFor(ctx.tx, ctx.actor, { today: ctx.today, afterDays: ctx.config.ESCALATE_OVERDUE_DAYS }, SHOWN + 1);
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'escalations.read', detail: { count: list.length } });
    if (list.length === 0) return [message(flowText(ctx.locale, 'overdue.none'))];
    const text = rich(bold(flowText(ctx.locale, 'overdue.title')));
    for (const e of list.slice(0, SHOWN)) {
      text.push(...rich('\n• ', flowText(ctx.locale, 'overdue.line', {
        name: e.name,
        village: e.village,
        days: daysBetween(e.dueOn, ctx.today),
        due: formatDay(e.dueOn, ctx.locale, ctx),
        caseworker: e.caseworker ?? flowText(ctx.locale, 'status.none'),
      })));
    }
    if (list.length > SHOWN) text.push(...rich('\n', flowText(ctx.locale, 'overdue.more', { n: SHOWN })));
    return [message(text)];
  },
};
