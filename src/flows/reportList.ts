// /reports: a supervisor's (or admin's) list of the mandatory reports of their area still to handle — urgent drafts,
// unacknowledged and acknowledged ones — oldest first, each with a button to its card. Read-only: a draft in
// progress is left alone.
import { bold, message, plain, type Button } from '../bot/message.js';
import { audit } from '../db/audit.js';
import { openReportsFor } from '../db/reports.js';
import { reportText } from '../i18n/sections/reports.js';
import { formatInstant } from '../scheduler/text.js';
import { reportChildLabel } from './reportAlert.js';
import { handlerRoles } from './reportForm.js';
import type { Flow } from './types.js';

const SHOWN = 10;

export const reportListFlow: Flow = {
  name: 'reports',
  title: { 'zh-CN': '待处理的强制报告', en: 'Reports to handle' },
  confirm: false,
  roles: handlerRoles,
  steps: [],
  async commit(ctx) {
    const list = await openReportsFor(ctx.tx, ctx.actor, SHOWN);
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'reports.read', detail: { count: list[0]?.total ?? 0 } });
    if (list.length === 0) return [message(reportText(ctx.locale, 'list.none'))];
    const t = (key: Parameters<typeof reportText>[1], params?: Record<string, string | number>) => reportText(ctx.locale, key, params);
    const total = list[0]?.total ?? 0;
    const text = [bold(t('list.title', { count: total }))];
    const buttons: Button[][] = [];
    for (const [i, r] of list.entries()) {
      const child = reportChildLabel(ctx.locale, r);
      const line = t('list.line', { n: i + 1, ref: r.ref, child, status: t(`status.${r.status}`), time: formatInstant(r.createdAt, ctx.config.TZ_NAME, ctx.locale) });
      text.push(plain(`\n${r.immediateDanger ? `${t('list.urgent')} ` : ''}${line}`));
      buttons.push([{ label: t('button.handle', { ref: r.ref, child: clip(child, 12) }), data: `r.open.${r.id}` }]);
    }
    if (total > list.length) text.push(plain(`\n${t('list.more', { count: total - list.length })}`));
    return [message(text, buttons)];
  },
};

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
