// "When did it happen?" as two questions that read as one: a day (the shared date parser and shortcuts) and an
// optional time of day (上午 / 下午 / 晚上 or HH:MM). Typed together ("今天下午3点") the day question takes both,
// and the time question is not asked. Stored as an instant in the deployment's zone with its precision.
import { rich } from '../bot/message.js';
import type { OccurredPrecision } from '../db/schema.js';
import { formatDay } from '../domain/dates.js';
import { decodeTimeOfDay, encodeTimeOfDay, occurredClock, readTimeOfDay, splitTimeOfDay, type DayPart } from '../domain/timeOfDay.js';
import { reportFilingText } from '../i18n/sections/reportFiling.js';
import type { Locale } from '../i18n/translator.js';
import { zonedInstant } from '../scheduler/time.js';
import { dateStep, pastDayRule, recentDayShortcuts } from './steps.js';
import type { Answers, FlowContext, Parsed, Step, TextStep } from './types.js';

const parts: DayPart[] = ['morning', 'afternoon', 'evening'];

/** The day and time of day answered: `when` is "YYYY-MM-DD" or "YYYY-MM-DD 15:30" / "YYYY-MM-DD afternoon". */
export function occurredOf(answers: Answers): { day: string; time: string | undefined } {
  const [day = '', typed] = String(answers.when ?? '').split(' ');
  const time = typed ?? (typeof answers.whenTime === 'string' ? answers.whenTime : undefined);
  return { day, time };
}

/** "11月23日 下午", "11月23日 15:30", "23 Nov, afternoon" — in the reader's language. */
export function formatOccurred(day: string, time: string | undefined, locale: Locale, shown: { today: string } | { withYear: true }): string {
  const date = formatDay(day, locale, shown);
  const t = decodeTimeOfDay(time);
  if (!t) return date;
  const clock = 'part' in t ? reportFilingText(locale, `time.${t.part}`) : encodeTimeOfDay(t);
  return locale === 'en' ? `${date}, ${clock}` : `${date} ${clock}`;
}

/** The columns: the instant in the zone, its precision, and the text in the deployment's language (exports). */
export function occurredColumns(answers: Answers, ctx: FlowContext): { occurredAt: Date | null; occurredPrecision: OccurredPrecision | null; occurredWhen: string } {
  const { day, time } = occurredOf(answers);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return { occurredAt: null, occurredPrecision: null, occurredWhen: '' };
  const { minutes, precision } = occurredClock(decodeTimeOfDay(time));
  return {
    occurredAt: zonedInstant(day, minutes, ctx.config.TZ_NAME),
    occurredPrecision: precision,
    occurredWhen: formatOccurred(day, time, ctx.config.DEFAULT_LOCALE, { withYear: true }),
  };
}

function notInTheFuture(ctx: FlowContext, day: string, time: string | undefined): string | undefined {
  const t = decodeTimeOfDay(time);
  if (!t || !('minutes' in t)) return undefined;
  return zonedInstant(day, t.minutes, ctx.config.TZ_NAME) > ctx.now ? reportFilingText(ctx.locale, 'time.future') : undefined;
}

export function occurredSteps(): Step[] {
  const day = dateStep('when', (ctx) => rich(reportFilingText(ctx.locale, 'when.ask')), { ...pastDayRule, shortcuts: recentDayShortcuts });
  const whenStep: TextStep = {
    ...day,
    parse: async (text, ctx, answers): Promise<Parsed<unknown>> => {
      const split = splitTimeOfDay(text);
      const parsed = await day.parse(split.rest || ctx.today, ctx, answers);
      if (!parsed.ok || !split.time) return parsed;
      const time = encodeTimeOfDay(split.time);
      const late = notInTheFuture(ctx, String(parsed.value), time);
      return late ? { ok: false, error: late } : { ok: true, value: `${String(parsed.value)} ${time}` };
    },
    display: (v, ctx) => {
      const [dayPart = '', time] = String(v).split(' ');
      return formatOccurred(dayPart, time, ctx.locale, ctx);
    },
  };
  const timeStep: TextStep = {
    id: 'whenTime',
    kind: 'text',
    optional: true,
    when: (a) => typeof a.when === 'string' && !a.when.includes(' '),
    prompt: (ctx) => rich(reportFilingText(ctx.locale, 'time.ask')),
    shortcuts: (ctx) => parts.map((p) => ({ value: p, label: reportFilingText(ctx.locale, `time.${p}`) })),
    parse: (text, ctx, answers): Parsed<unknown> => {
      const time = parts.includes(text as DayPart) ? { part: text as DayPart } : readTimeOfDay(text);
      if (!time) return { ok: false, error: reportFilingText(ctx.locale, 'time.unrecognised') };
      const encoded = encodeTimeOfDay(time);
      const late = notInTheFuture(ctx, occurredOf(answers).day, encoded);
      return late ? { ok: false, error: late } : { ok: true, value: encoded };
    },
    display: (v, ctx) => formatOccurred('2000-01-01', String(v), ctx.locale, ctx).split(/,? /).pop() ?? String(v),
  };
  return [whenStep, timeStep];
}
