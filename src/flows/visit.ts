// Log a visit (巡视探访): the form a children's director fills in after seeing a child. Most visits change
// nothing, so the short routes come first: "seen, nothing changed" in one tap where there is a last visit to carry
// over, "something changed" asks only the items picked, and the full form is one choice among them.
import { z } from 'zod';
import { bold, message, rich, type Rich } from '../bot/message.js';
import { lastVisitOf, type ChildRow } from '../db/children.js';
import { storeVisitRecord } from '../db/visitRecord.js';
import type { Dimensions } from '../db/schema.js';
import { dimensionLevels, dimensions, riskLevels, visitKinds, type Dimension, type RiskLevel } from '../domain/categories.js';
import { addDays, formatDay } from '../domain/dates.js';
import { nextVisitDue } from '../domain/visitPolicy.js';
import { dimensionNames, levelNames, nameOf, riskNames, visitKindNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { visitText } from '../i18n/sections/visits.js';
import { childHeadline, chosenChild } from './childInfo.js';
import { choiceStep, dateStep, pastDayRule, recentDayShortcuts, textStep, yesNoStep } from './steps.js';
import { type Answers, type Attachment, type Flow, type FlowContext, type Step } from './types.js';

const riskSchema = z.enum(riskLevels);
const levelSchema = z.enum(dimensionLevels);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const visitAnswers = z.object({
  child: z.number().int().positive(),
  date: day,
  kind: z.enum(visitKinds),
  seen: z.enum(['same', 'yes', 'no']).optional(),
  mode: z.enum(['same', 'changed', 'each']).optional(),
  agreement: z.enum(['yes', 'no', 'na']).nullish(),
  needs: z.string().max(1000).nullish(),
  help: z.string().max(1000).nullish(),
  attachments: z.array(z.union([
    z.object({ kind: z.literal('location'), latitude: z.number(), longitude: z.number() }),
    z.object({ kind: z.literal('photo'), fileId: z.string(), caption: z.string().optional() }),
  ])).nullish(),
  risk: riskSchema.optional(),
  next: day.optional(),
});

/**
 * What "nothing changed" carries over: the last visit on or before this one's date, or — for a child imported with
 * a 最近走访日期 and never visited in the bot — a baseline from the roster, which knows the date and risk but none
 * of the six items (those are then asked).
 */
interface Carried {
  dimensions: Dimensions;
  risk: z.infer<typeof riskSchema>;
  agreement: boolean | null;
  lastVisitOn: string;
  fromRoster?: true;
}

/** A later visit already logged, when this one is back-dated: it keeps setting the next visit. */
interface Later {
  on: string;
  next: string | null;
}

const inPerson = (a: Answers) => a.kind === 'home' || a.kind === 'school';
const carriedOf = (a: Answers) => (a.carried ?? null) as Carried | null;

/**
 * The risk level a visit starts from: the child's level as it is now — a report filed while the visit was being
 * recorded may have raised it, and "nothing changed" must not lower it back — except for a back-dated visit, which
 * starts from the level of the visit before it.
 */
const riskBeforeVisit = (a: Answers, child: ChildRow): RiskLevel => (a.later ? carriedOf(a)?.risk : undefined) ?? child.riskLevel;
/** 'same' | 'changed' | 'each'; undefined while not chosen, and for a first visit (nothing to compare with). */
const modeOf = (a: Answers) => (a.seen === 'same' ? 'same' : (a.mode as string | undefined));

type Item = Dimension | 'agreement' | 'needs' | 'help' | 'risk' | 'attachments' | 'next';

/**
 * Whether the form asks this item: all of them in the full form, the picked ones after "something changed", and
 * after "nothing changed" only the six items a roster baseline does not know.
 */
function asks(a: Answers, item: Item): boolean {
  const mode = modeOf(a);
  if (mode === undefined || mode === 'each') return item !== 'next' || !a.later;
  if (mode === 'changed') return ((a.changes as string[] | undefined) ?? []).includes(item);
  return (dimensions as readonly string[]).includes(item) && carriedOf(a)?.dimensions[item as Dimension] === undefined;
}

const dimStep = (d: Dimension): Step[] => [
  choiceStep(`dim_${d}`, (ctx) => rich(flowText(ctx.locale, 'visit.dimension', { name: nameOf(dimensionNames, ctx.locale, d) })), {
    values: dimensionLevels,
    label: (v, ctx) => nameOf(levelNames, ctx.locale, v),
    columns: 3,
    when: (a) => asks(a, d),
  }),
  textStep(`note_${d}`, (ctx) => rich(flowText(ctx.locale, 'visit.note', { name: nameOf(dimensionNames, ctx.locale, d) })), {
    max: 500,
    when: (a) => asks(a, d) && a[`dim_${d}`] !== undefined && a[`dim_${d}`] !== 'fine',
    editName: (ctx) => visitText(ctx.locale, 'visit.label.note', { name: nameOf(dimensionNames, ctx.locale, d) }),
  }),
];

async function defaultNextVisit(ctx: FlowContext, answers: Answers): Promise<string> {
  const child = await chosenChild(ctx, answers);
  const risk = riskSchema.parse(answers.risk ?? riskBeforeVisit(answers, child));
  const date = String(answers.date ?? ctx.today);
  const rows = await ctx.visitPolicy();
  return nextVisitDue({ lastVisitOn: date, categories: child.categories, risk, rows, today: ctx.today });
}

const labelled = (item: 'date' | 'seen' | 'mode' | 'changes' | 'needs' | 'help' | 'attachments' | 'risk' | 'next') => (ctx: FlowContext) =>
  visitText(ctx.locale, `visit.label.${item}`);

const needsGuardianshipAgreement = (categories: readonly string[]) =>
  categories.includes('left_behind') || categories.includes('de_facto_unsupported');

/** The items "something changed" offers. */
function changeItems(a: Answers): Item[] {
  return [...dimensions, ...(a.needsAgreement === true ? (['agreement'] as const) : []), 'needs', 'help', 'risk'];
}

function itemName(ctx: FlowContext, item: string): string {
  if ((dimensions as readonly string[]).includes(item)) return nameOf(dimensionNames, ctx.locale, item);
  const key = { agreement: 'visit.changeAgreement', needs: 'visit.changeNeeds', help: 'visit.changeHelp', risk: 'visit.changeRisk' }[item];
  return key ? visitText(ctx.locale, key as Parameters<typeof visitText>[1]) : item;
}

export const visitFlow: Flow = {
  name: 'visit',
  title: { 'zh-CN': '记录走访', en: 'Log a visit' },
  confirm: true,
  steps: [
    {
      id: 'child',
      kind: 'child',
      prompt: (ctx) => rich(flowText(ctx.locale, 'visit.child')),
      derive: async (value, ctx) => ({ needsAgreement: needsGuardianshipAgreement((await chosenChild(ctx, { child: value })).categories) }),
      editable: false,
    },
    {
      ...dateStep('date', async (ctx, a) => rich(childHeadline(ctx, await chosenChild(ctx, a)), flowText(ctx.locale, 'visit.date')), {
        ...pastDayRule,
        shortcuts: recentDayShortcuts,
        editName: labelled('date'),
      }),
      // What the visit is compared with follows its date: a back-dated visit follows the visit before it.
      derive: (value, ctx, a) => visitDateDerived(ctx, a, String(value)),
    },
    choiceStep('kind', 'visit.kind', { values: visitKinds, label: (v, ctx) => nameOf(visitKindNames, ctx.locale, v), columns: 4 }),
    // A phone or video call does not see the child in person: not asked, never stored as seen.
    choiceStep('seen', 'visit.seen', {
      values: (_ctx, a) => (carriedOf(a) ? ['yes', 'no', 'same'] : ['yes', 'no']),
      label: (v, ctx) => (v === 'same' ? visitText(ctx.locale, 'visit.seenSame') : flowText(ctx.locale, v === 'yes' ? 'visit.seenYes' : 'visit.seenNo')),
      columns: 2,
      when: inPerson,
      editName: labelled('seen'),
    }),
    choiceStep(
      'mode',
      (ctx, a) => {
        const carried = carriedOf(a)!;
        const date = formatDay(carried.lastVisitOn, ctx.locale, ctx);
        return rich(carried.fromRoster ? visitText(ctx.locale, 'visit.modeBaseline', { date }) : flowText(ctx.locale, 'visit.mode', { date }));
      },
      {
        values: ['same', 'changed', 'each'],
        label: (v, ctx) => (v === 'changed' ? visitText(ctx.locale, 'visit.changed') : flowText(ctx.locale, v === 'same' ? 'visit.same' : 'visit.each')),
        columns: 3,
        // Offered when there is something to carry over, unless "seen, nothing changed" already said it.
        when: (a) => carriedOf(a) !== null && a.seen !== 'same',
        editName: labelled('mode'),
      },
    ),
    {
      id: 'changes',
      kind: 'multi',
      min: 1,
      columns: 2,
      prompt: (ctx) => rich(visitText(ctx.locale, 'visit.changes')),
      choices: (ctx, a) => changeItems(a).map((item) => ({ value: item, label: itemName(ctx, item) })),
      display: (v, ctx) => (v as string[]).map((item) => itemName(ctx, item)).join('、'),
      when: (a) => modeOf(a) === 'changed',
      editName: labelled('changes'),
    },
    ...dimensions.flatMap(dimStep),
    yesNoStep('agreement', 'visit.agreement', { when: (a) => a.needsAgreement === true && asks(a, 'agreement') }),
    textStep('needs', 'visit.needs', { optional: true, when: (a) => asks(a, 'needs'), editName: labelled('needs') }),
    textStep('help', 'visit.help', { optional: true, when: (a) => asks(a, 'help'), editName: labelled('help') }),
    {
      id: 'attachments',
      kind: 'attachments',
      max: 5,
      prompt: (ctx) => rich(flowText(ctx.locale, 'visit.attachments')),
      when: (a) => asks(a, 'attachments'),
      editName: labelled('attachments'),
      display: (v, ctx) => flowText(ctx.locale, 'visit.attachmentCount', { n: (v as Attachment[] | null)?.length ?? 0 }),
    },
    choiceStep(
      'risk',
      async (ctx, a) => rich(flowText(ctx.locale, 'visit.risk', { current: nameOf(riskNames, ctx.locale, riskBeforeVisit(a, await chosenChild(ctx, a))) })),
      { values: riskLevels, label: (v, ctx) => nameOf(riskNames, ctx.locale, v), columns: 4, when: (a) => asks(a, 'risk'), editName: labelled('risk') },
    ),
    {
      ...dateStep(
        'next',
        async (ctx, a) => rich(flowText(ctx.locale, 'visit.next', { date: formatDay(await defaultNextVisit(ctx, a), ctx.locale, ctx) })),
        {
          // Not asked for a back-dated visit: the later visit already set the next one.
          when: (a) => asks(a, 'next'),
          editName: labelled('next'),
          future: true,
          shortcuts: async (ctx, a) => {
            const next = await defaultNextVisit(ctx, a);
            return [{ value: next, label: formatDay(next, ctx.locale, ctx) }];
          },
          min: (ctx, a) => ({ day: addDays(String(a.date ?? ctx.today), 1), error: 'visit.nextTooEarly' }),
          // The policy date is the latest allowed: a visit may bring the next one earlier, never later.
          max: async (ctx, a) => ({ day: await defaultNextVisit(ctx, a), error: 'visit.nextTooLate' }),
        },
      ),
      // Chosen against the visit date and the risk level: when either is edited, it is asked again.
      dependsOn: ['date', 'risk'],
    },
  ],

  async summary(ctx, a) {
    const v = await resolveVisit(ctx, a);
    const seen = v.inPerson ? ` · ${flowText(ctx.locale, v.seen ? 'visit.seenYes' : 'visit.seenNo')}` : '';
    const lines: Rich = rich(bold(v.child.name), ` · ${formatDay(v.date, ctx.locale, ctx)} · ${nameOf(visitKindNames, ctx.locale, v.kind)}${seen}`, '\n');
    const line = (...parts: Parameters<typeof rich>) => lines.push(...rich(...parts, '\n'));
    const level = (d: Dimension) => {
      const dim = v.dimensions[d]!;
      return `${nameOf(dimensionNames, ctx.locale, d)}：${nameOf(levelNames, ctx.locale, dim.level)}${dim.note ? `（${dim.note}）` : ''}`;
    };
    const carriedDims = dimensions.filter((d) => !asks(a, d));
    if (v.sameAsLast && carriedDims.length === dimensions.length) {
      const notFine = dimensions.filter((d) => v.dimensions[d]!.level !== 'fine').map(level);
      line(visitText(ctx.locale, 'visit.summarySameLevels', { levels: notFine.length ? notFine.join('；') : visitText(ctx.locale, 'visit.summaryAllFine') }));
    } else {
      for (const d of dimensions) line(level(d));
    }
    if (v.needsAgreement) {
      const answer = v.agreement === null ? 'visit.agreementUnknown' : v.agreement ? 'visit.agreementYes' : 'visit.agreementNo';
      line(visitText(ctx.locale, 'visit.summaryAgreement', { answer: visitText(ctx.locale, answer) }));
    }
    if (v.needs) line(flowText(ctx.locale, 'visit.summaryNeeds', { text: v.needs }));
    if (v.help) line(flowText(ctx.locale, 'visit.summaryHelp', { text: v.help }));
    if (v.photos.length || v.location) line(flowText(ctx.locale, 'visit.attachmentCount', { n: v.photos.length + (v.location ? 1 : 0) }));
    if (v.risk === v.riskBefore) line(visitText(ctx.locale, 'visit.summaryRiskSame', { risk: nameOf(riskNames, ctx.locale, v.risk) }));
    else line(flowText(ctx.locale, 'visit.summaryRisk', { before: nameOf(riskNames, ctx.locale, v.riskBefore), after: nameOf(riskNames, ctx.locale, v.risk) }));
    lines.push(...rich(nextVisitLine(ctx, v)));
    return lines;
  },

  async commit(ctx, a) {
    const v = await resolveVisit(ctx, a);
    const { ref } = await storeVisitRecord(ctx, {
      childId: v.child.id,
      staffId: ctx.actor.staffId,
      visitedOn: v.date,
      kind: v.kind,
      childSeen: v.seen,
      sameAsLast: v.sameAsLast,
      dimensions: v.dimensions,
      guardianshipAgreement: v.agreement,
      needs: v.needs,
      helpGiven: v.help,
      riskBefore: v.riskBefore,
      riskAfter: v.risk,
      nextVisitOn: v.next,
      location: v.location,
      photos: v.photos,
      channel: ctx.channel,
      backDated: v.later !== null,
      at: ctx.now,
    });
    return [message(rich('✅ ', flowText(ctx.locale, 'visit.saved', { ref, name: v.child.name, date: formatDay(v.next, ctx.locale, ctx) })))];
  },
};

function nextVisitLine(ctx: FlowContext, v: Awaited<ReturnType<typeof resolveVisit>>): string {
  const date = formatDay(v.next, ctx.locale, ctx);
  if (v.later) return visitText(ctx.locale, 'visit.summaryNextKept', { date, later: formatDay(v.later.on, ctx.locale, ctx) });
  return flowText(ctx.locale, 'visit.summaryNext', { date });
}

/** The visit as it will be stored, from the answers (carrying the last visit over where nothing changed). */
async function resolveVisit(ctx: FlowContext, answers: Answers) {
  const a = visitAnswers.parse(answers);
  const child = await chosenChild(ctx, answers);
  const carried = carriedOf(answers);
  const later = (answers.later ?? null) as Later | null;
  const dims: Dimensions = {};
  for (const d of dimensions) {
    if (!asks(answers, d) && carried?.dimensions[d]) dims[d] = carried.dimensions[d];
    else {
      const level = levelSchema.parse(answers[`dim_${d}`]);
      const note = level === 'fine' ? undefined : z.string().max(500).parse(answers[`note_${d}`]);
      dims[d] = note ? { level, note } : { level };
    }
  }
  const needsAgreement = answers.needsAgreement === true;
  const askedAgreement = needsAgreement && asks(answers, 'agreement');
  const agreement = !needsAgreement ? null : askedAgreement ? (a.agreement === 'yes' ? true : a.agreement === 'no' ? false : null) : (carried?.agreement ?? null);
  const riskBefore = riskBeforeVisit(answers, child);
  const risk = asks(answers, 'risk') ? riskSchema.parse(a.risk) : riskBefore;
  const policyDay = await defaultNextVisit(ctx, { ...answers, risk });
  const chosen = asks(answers, 'next') && a.next && a.next <= policyDay ? a.next : policyDay;
  const attachments = (a.attachments ?? []) as Attachment[];
  const location = attachments.find((x) => x.kind === 'location');
  return {
    child,
    date: a.date,
    kind: a.kind,
    inPerson: inPerson(a),
    seen: inPerson(a) && (a.seen === 'yes' || a.seen === 'same'),
    sameAsLast: modeOf(answers) === 'same',
    dimensions: dims,
    needsAgreement,
    agreement,
    needs: asks(answers, 'needs') ? (a.needs ?? null) : null,
    help: asks(answers, 'help') ? (a.help ?? null) : null,
    riskBefore,
    risk,
    later,
    // Told and stored alike: a back-dated visit keeps the next visit the later one set.
    next: later?.next ?? chosen,
    location: location && location.kind === 'location' ? { latitude: location.latitude, longitude: location.longitude } : null,
    photos: attachments.flatMap((x) => (x.kind === 'photo' ? [{ fileId: x.fileId, ...(x.caption ? { caption: x.caption } : {}) }] : [])),
  };
}

/** Answers that follow from the visit date: what "nothing changed" carries over, and a later visit if back-dated. */
async function visitDateDerived(ctx: FlowContext, answers: Answers, date: string): Promise<Answers> {
  const child = await chosenChild(ctx, answers);
  const later: Later | null = child.lastVisitOn && child.lastVisitOn > date ? { on: child.lastVisitOn, next: child.nextVisitDue } : null;
  const last = await lastVisitOf(ctx.tx, child, date);
  let carried: Carried | null = null;
  if (last) {
    carried = { dimensions: last.dimensions, risk: later ? last.riskAfter : child.riskLevel, agreement: last.guardianshipAgreement, lastVisitOn: last.visitedOn };
  } else if (child.lastVisitOn && child.lastVisitOn <= date) {
    carried = { dimensions: {}, risk: child.riskLevel, agreement: null, lastVisitOn: child.lastVisitOn, fromRoster: true };
  }
  return { carried, later };
}
