// "Snooze 1 day" / "snooze 3 days" on a reminder: no reminder about that child for the next N days. The child in
// the button data goes through the scoped lookup: one answer, naming nobody, for "not yours" and "no such child".
import { z } from 'zod';
import type { Outcome } from '../bot/outcome.js';
import type { Actor } from '../db/actor.js';
import { audit } from '../db/audit.js';
import { childForActor } from '../db/children.js';
import type { Conn } from '../db/client.js';
import { snoozes } from '../db/schema.js';
import { coreText } from '../i18n/core.js';
import { formatDay, pickLocale, t } from './text.js';
import { addDays, localDate } from './time.js';

const snoozeData = z
  .string()
  .regex(/^rm\.snooze\.\d{1,9}\.(1|3)$/)
  .transform((s) => {
    const [, , child, days] = s.split('.');
    return { childId: Number(child), days: Number(days) };
  });

export interface ActionContext {
  tz: string;
  defaultLocale: string;
  now: Date;
  channel?: string;
}

export async function handleSnooze(conn: Conn, actor: Actor, data: string, ctx: ActionContext): Promise<Outcome> {
  const locale = pickLocale(actor.locale, ctx.defaultLocale);
  const parsed = snoozeData.safeParse(data);
  if (!parsed.success) return { replies: [], toast: t(locale, 'button.stale'), locale };
  const { childId, days } = parsed.data;
  const child = await childForActor(conn, actor, childId, ctx.channel ?? null);
  if (!child) {
    const text = coreText(locale, 'child.notYours');
    return { replies: [{ text: [{ text }] }], toast: text, locale };
  }
  const today = localDate(ctx.now, ctx.tz);
  // `until` is the last silent day: snoozing 1 day on Monday skips Tuesday's reminder.
  const until = addDays(today, days);
  await conn
    .insert(snoozes)
    .values({ staffId: actor.staffId, childId, until })
    .onConflictDoUpdate({ target: [snoozes.staffId, snoozes.childId], set: { until } });
  await audit(conn, {
    actorStaffId: actor.staffId,
    channel: ctx.channel ?? null,
    action: 'reminder.snooze',
    childId,
    detail: { until },
    at: ctx.now,
  });
  const text = t(locale, 'snooze.done', { name: child.name, days, until: formatDay(addDays(until, 1), locale, today) });
  return { replies: [{ text: [{ text }] }], toast: t(locale, 'snooze.toast'), locale };
}
