// Builders for the common kinds of step, so each flow reads like the form it replaces.
import { rich, type Rich } from '../bot/message.js';
import { addDays, daysBetween, formatDay } from '../domain/dates.js';
import { clip } from '../domain/text.js';
import { readTypedDate } from '../domain/typedDates.js';
import { coreText } from '../i18n/core.js';
import { flowText, type FlowKey } from '../i18n/flows.js';
import { datesText } from '../i18n/sections/dates.js';
import type { Answers, Choice, ChoiceStep, FlowContext, Parsed, Step, TextStep } from './types.js';

type Prompt = FlowKey | ((ctx: FlowContext, answers: Answers) => Rich | Promise<Rich>);
type Common = Pick<Step, 'when' | 'optional' | 'next' | 'derive' | 'editable' | 'effect' | 'editName' | 'dependsOn'>;

const promptOf = (prompt: Prompt) => (typeof prompt === 'string' ? (ctx: FlowContext) => rich(flowText(ctx.locale, prompt)) : prompt);

/** A single choice among named values; `names` gives each value's label per locale. */
export function choiceStep(
  id: string,
  prompt: Prompt,
  options: { values: readonly string[] | ((ctx: FlowContext, answers: Answers) => readonly string[]); label: (value: string, ctx: FlowContext, answers: Answers) => string; columns?: number } & Common,
): ChoiceStep {
  const { values, label, ...rest } = options;
  const choices = (ctx: FlowContext, answers: Answers): Choice[] =>
    (typeof values === 'function' ? values(ctx, answers) : values).map((value) => ({ value, label: label(value, ctx, answers) }));
  return { id, kind: 'choice', prompt: promptOf(prompt), choices, display: (v, ctx, a) => label(String(v), ctx, a), ...rest };
}

export function yesNoStep(id: string, prompt: Prompt, options: Common & { yes?: FlowKey; no?: FlowKey } = {}): ChoiceStep {
  const { yes = 'common.yes', no = 'common.no', ...rest } = options;
  return choiceStep(id, prompt, { values: ['yes', 'no'], label: (v, ctx) => flowText(ctx.locale, v === 'yes' ? yes : no), ...rest });
}

/** Free text, trimmed, between 1 and `max` characters; stored as typed (never interpreted as markup). */
export function textStep(id: string, prompt: Prompt, options: Common & { max?: number } = {}): TextStep {
  const { max = 1000, ...rest } = options;
  return {
    id,
    kind: 'text',
    prompt: promptOf(prompt),
    parse: (text, ctx): Parsed<string> =>
      [...text].length > max ? { ok: false, error: coreText(ctx.locale, 'input.tooLong', { max }) } : { ok: true, value: text },
    display: (v) => clipForDisplay(String(v)),
    ...rest,
  };
}

type Bound = { day: string; error: FlowKey } | undefined;

export interface DateRule {
  /** Earliest allowed day (inclusive) and the message when earlier. */
  min?: (ctx: FlowContext, answers: Answers) => Bound | Promise<Bound>;
  max?: (ctx: FlowContext, answers: Answers) => Bound | Promise<Bound>;
  shortcuts: (ctx: FlowContext, answers: Answers) => Choice[] | Promise<Choice[]>;
  /** A day ahead (next visit): "12月20日" typed in November means this coming December, not last year's. */
  future?: boolean;
}

/** A calendar day: shortcut buttons, or typed as 2026-11-20, 11月20日, 昨天, … */
export function dateStep(id: string, prompt: Prompt, rule: DateRule & Common): TextStep {
  const { min, max, shortcuts, future, ...rest } = rule;
  return {
    id,
    kind: 'text',
    prompt: promptOf(prompt),
    shortcuts,
    date: true,
    parse: async (text, ctx, answers): Promise<Parsed<string>> => {
      const parsed = readTypedDate(text, ctx.today, future ? 'ahead' : 'past');
      if (!parsed.ok) return { ok: false, error: flowText(ctx.locale, 'date.unrecognised') };
      // A year filled in far from today is asked about, never assumed (a visit saved a year off looks overdue).
      if (parsed.guessed) return { ok: false, error: datesText(ctx.locale, 'date.confirmYear', { date: formatDay(parsed.date, ctx.locale, { withYear: true }) }), confirm: parsed.date };
      const low = await min?.(ctx, answers);
      if (low && parsed.date < low.day) return { ok: false, error: flowText(ctx.locale, low.error, { date: formatDay(low.day, ctx.locale, { withYear: true }) }) };
      const high = await max?.(ctx, answers);
      if (high && parsed.date > high.day) return { ok: false, error: flowText(ctx.locale, high.error, { date: formatDay(high.day, ctx.locale, { withYear: true }) }) };
      return { ok: true, value: parsed.date };
    },
    display: (v, ctx) => formatDay(String(v), ctx.locale, ctx),
    ...rest,
  };
}

/** Shortcut buttons "today" and "yesterday" (their values are parsed like typed text). */
export function recentDayShortcuts(ctx: FlowContext): Choice[] {
  return [
    { value: ctx.today, label: flowText(ctx.locale, 'date.today', { date: formatDay(ctx.today, ctx.locale, ctx) }) },
    { value: addDays(ctx.today, -1), label: flowText(ctx.locale, 'date.yesterday') },
  ];
}

/** A past day within the last year: visits are not logged ahead, nor years late. */
export const pastDayRule: Pick<DateRule, 'min' | 'max'> = {
  max: (ctx) => ({ day: ctx.today, error: 'date.future' }),
  min: (ctx) => ({ day: addDays(ctx.today, -365), error: 'date.tooOld' }),
};

export function daysFromToday(ctx: FlowContext, day: string): number {
  return daysBetween(ctx.today, day);
}

const clipForDisplay = (s: string) => clip(s, 60);
