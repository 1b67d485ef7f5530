// Log a visit (巡视探访): the form a children's director fills in after seeing a child.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { bold, message, rich, type Rich } from '../bot/message.js';
import { audit } from '../db/audit.js';
import { lastVisitOf } from '../db/children.js';
import { nextRef } from '../db/refs.js';
import { children, visits, type Dimensions } from '../db/schema.js';
import { dimensionLevels, dimensions, riskLevels, visitKinds, type Dimension } from '../domain/categories.js';
import { addDays, formatDay, yearOf } from '../domain/dates.js';
import { nextVisitDue } from '../domain/visitPolicy.js';
import { dimensionNames, levelNames, nameOf, riskNames, visitKindNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { childHeadline, chosenChild } from './childInfo.js';
import { choiceStep, dateStep, pastDayRule, recentDayShortcuts, textStep, yesNoStep } from './steps.js';
import type { Answers, Attachment, Flow, FlowContext, Step } from './types.js';

const riskSchema = z.enum(riskLevels);
const levelSchema = z.enum(dimensionLevels);

const visitAnswers = z.object({
  child: z.number().int().positive(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  kind: z.enum(visitKinds),
  seen: z.enum(['yes', 'no']),
  mode: z.enum(['same', 'each']).optional(),
  agreement: z.enum(['yes', 'no', 'na']).nullish(),
  needs: z.string().max(1000).nullish(),
  help: z.string().max(1000).nullish(),
  attachments: z.array(z.union([
    z.object({ kind: z.literal('location'), latitude: z.number(), longitude: z.number() }),
    z.object({ kind: z.literal('photo'), fileId: z.string(), caption: z.string().optional() }),
  ])).nullish(),
  risk: riskSchema.optional(),
  next: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});

/** What "nothing changed since the last visit" carries over. */
interface Carried {
  dimensions: Dimensions;
  risk: z.infer<typeof riskSchema>;
  lastVisitOn: string;
}

const dimStep = (d: Dimension): Step[] => [
  choiceStep(`dim_${d}`, (ctx) => rich(flowText(ctx.locale, 'visit.dimension', { name: nameOf(dimensionNames, ctx.locale, d) })), {
    values: dimensionLevels,
    label: (v, ctx) => nameOf(levelNames, ctx.locale, v),
    columns: 3,
    when: (a) => a.mode !== 'same',
  }),
  textStep(`note_${d}`, (ctx) => rich(flowText(ctx.locale, 'visit.note', { name: nameOf(dimensionNames, ctx.locale, d) })), {
    max: 500,
    when: (a) => a.mode !== 'same' && a[`dim_${d}`] !== undefined && a[`dim_${d}`] !== 'fine',
  }),
];

async function defaultNextVisit(ctx: FlowContext, answers: Answers): Promise<string> {
  const child = await chosenChild(ctx, answers);
  const risk = riskSchema.parse(answers.risk ?? (answers.carried as Carried | undefined)?.risk ?? child.riskLevel);
  const date = String(answers.date ?? ctx.today);
  const rows = await ctx.visitPolicy();
  return nextVisitDue({ lastVisitOn: date, categories: child.categories, risk, rows, today: ctx.today });
}

const needsGuardianshipAgreement = (categories: readonly string[]) =>
  categories.includes('left_behind') || categories.includes('de_facto_unsupported');

export const visitFlow: Flow = {
  name: 'visit',
  title: { 'zh-CN': '记录走访', en: 'Log a visit' },
  confirm: true,
  steps: [
    {
      id: 'child',
      kind: 'child',
      prompt: (ctx) => rich(flowText(ctx.locale, 'visit.child')),
      derive: (value, ctx) => visitChildDerived(ctx, Number(value)),
      editable: false,
    },
    dateStep('date', async (ctx, a) => rich(childHeadline(ctx, await chosenChild(ctx, a)), flowText(ctx.locale, 'visit.date')), {
      ...pastDayRule,
      shortcuts: recentDayShortcuts,
    }),
    choiceStep('kind', 'visit.kind', { values: visitKinds, label: (v, ctx) => nameOf(visitKindNames, ctx.locale, v), columns: 4 }),
    yesNoStep('seen', 'visit.seen', { yes: 'visit.seenYes', no: 'visit.seenNo' }),
    {
      ...choiceStep(
        'mode',
        async (ctx, a) => rich(flowText(ctx.locale, 'visit.mode', { date: formatDay(String((a.carried as Carried).lastVisitOn), ctx.locale, ctx) })),
        { values: ['same', 'each'], label: (v, ctx) => flowText(ctx.locale, v === 'same' ? 'visit.same' : 'visit.each'), columns: 2 },
      ),
      // Offered only when there is a last visit to carry over.
      when: (a) => a.carried !== undefined && a.carried !== null,
      next: (v) => (v === 'same' ? '~confirm' : undefined),
    },
    ...dimensions.flatMap(dimStep),
    yesNoStep('agreement', 'visit.agreement', { when: (a) => a.mode !== 'same' && a.needsAgreement === true }),
    textStep('needs', 'visit.needs', { optional: true, when: (a) => a.mode !== 'same' }),
    textStep('help', 'visit.help', { optional: true, when: (a) => a.mode !== 'same' }),
    {
      id: 'attachments',
      kind: 'attachments',
      max: 5,
      prompt: (ctx) => rich(flowText(ctx.locale, 'visit.attachments')),
      when: (a) => a.mode !== 'same',
      display: (v, ctx) => flowText(ctx.locale, 'visit.attachmentCount', { n: (v as Attachment[] | null)?.length ?? 0 }),
    },
    choiceStep(
      'risk',
      async (ctx, a) => rich(flowText(ctx.locale, 'visit.risk', { current: nameOf(riskNames, ctx.locale, (await chosenChild(ctx, a)).riskLevel) })),
      { values: riskLevels, label: (v, ctx) => nameOf(riskNames, ctx.locale, v), columns: 4, when: (a) => a.mode !== 'same' },
    ),
    dateStep(
      'next',
      async (ctx, a) => rich(flowText(ctx.locale, 'visit.next', { date: formatDay(await defaultNextVisit(ctx, a), ctx.locale, ctx) })),
      {
        when: (a) => a.mode !== 'same',
        future: true,
        shortcuts: async (ctx, a) => {
          const day = await defaultNextVisit(ctx, a);
          return [{ value: day, label: formatDay(day, ctx.locale, ctx) }];
        },
        min: (ctx, a) => ({ day: addDays(String(a.date ?? ctx.today), 1), error: 'visit.nextTooEarly' }),
        // The policy date is the latest allowed: a visit may bring the next one earlier, never later.
        max: async (ctx, a) => ({ day: await defaultNextVisit(ctx, a), error: 'visit.nextTooLate' }),
      },
    ) as Step,
  ],

  async summary(ctx, a) {
    const v = await resolveVisit(ctx, a);
    const lines: Rich = rich(
      bold(v.child.name), ` · ${formatDay(v.date, ctx.locale, ctx)} · ${nameOf(visitKindNames, ctx.locale, v.kind)} · `,
      flowText(ctx.locale, v.seen ? 'visit.seenYes' : 'visit.seenNo'), '\n',
    );
    if (v.sameAsLast) {
      lines.push(...rich(flowText(ctx.locale, 'visit.summarySame', { risk: nameOf(riskNames, ctx.locale, v.risk) }), '\n'));
    } else {
      for (const d of dimensions) {
        const dim = v.dimensions[d]!;
        lines.push(...rich(`${nameOf(dimensionNames, ctx.locale, d)}：${nameOf(levelNames, ctx.locale, dim.level)}`, dim.note ? `（${dim.note}）` : '', '\n'));
      }
      if (v.needs) lines.push(...rich(flowText(ctx.locale, 'visit.summaryNeeds', { text: v.needs }), '\n'));
      if (v.help) lines.push(...rich(flowText(ctx.locale, 'visit.summaryHelp', { text: v.help }), '\n'));
      if (v.photos.length || v.location) lines.push(...rich(flowText(ctx.locale, 'visit.attachmentCount', { n: v.photos.length + (v.location ? 1 : 0) }), '\n'));
      lines.push(...rich(flowText(ctx.locale, 'visit.summaryRisk', { before: nameOf(riskNames, ctx.locale, v.child.riskLevel), after: nameOf(riskNames, ctx.locale, v.risk) }), '\n'));
    }
    lines.push(...rich(flowText(ctx.locale, 'visit.summaryNext', { date: formatDay(v.next, ctx.locale, ctx) })));
    return lines;
  },

  async commit(ctx, a) {
    const v = await resolveVisit(ctx, a);
    const ref = await nextRef(ctx.tx, 'ZF', yearOf(v.date));
    const [visit] = await ctx.tx
      .insert(visits)
      .values({
        ref,
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
        riskBefore: v.child.riskLevel,
        riskAfter: v.risk,
        nextVisitOn: v.next,
        location: v.location,
        photos: v.photos,
        channel: ctx.channel,
      })
      .returning({ id: visits.id });
    const isLatest = !v.child.lastVisitOn || v.date >= v.child.lastVisitOn;
    await ctx.tx
      .update(children)
      .set(
        isLatest
          ? { riskLevel: v.risk, lastVisitOn: v.date, nextVisitDue: v.next, updatedAt: ctx.now }
          : { updatedAt: ctx.now },
      )
      .where(eq(children.id, v.child.id));
    await audit(ctx.tx, { actorStaffId: ctx.actor.staffId, channel: ctx.channel, action: 'visit.create', childId: v.child.id, detail: { visitId: visit!.id, ref } });
    return [message(rich('✅ ', flowText(ctx.locale, 'visit.saved', { ref, name: v.child.name, date: formatDay(v.next, ctx.locale, ctx) })))];
  },
};

/** The visit as it will be stored, from the answers (carrying the last visit over when nothing changed). */
async function resolveVisit(ctx: FlowContext, answers: Answers) {
  const a = visitAnswers.parse(answers);
  const child = await chosenChild(ctx, answers);
  const carried = answers.carried as Carried | undefined;
  const sameAsLast = a.mode === 'same' && carried !== undefined;
  const dims: Dimensions = {};
  for (const d of dimensions) {
    if (sameAsLast) dims[d] = carried.dimensions[d] ?? { level: 'fine' };
    else {
      const level = levelSchema.parse(answers[`dim_${d}`]);
      const note = level === 'fine' ? undefined : z.string().max(500).parse(answers[`note_${d}`]);
      dims[d] = note ? { level, note } : { level };
    }
  }
  const risk = sameAsLast ? child.riskLevel : riskSchema.parse(a.risk);
  const policyDay = await defaultNextVisit(ctx, { ...answers, risk });
  const next = sameAsLast || !a.next || a.next > policyDay ? policyDay : a.next;
  const attachments = (a.attachments ?? []) as Attachment[];
  const location = attachments.find((x) => x.kind === 'location');
  return {
    child,
    date: a.date,
    kind: a.kind,
    seen: a.seen === 'yes',
    sameAsLast,
    dimensions: dims,
    agreement: a.agreement === 'yes' ? true : a.agreement === 'no' ? false : null,
    needs: sameAsLast ? null : (a.needs ?? null),
    help: sameAsLast ? null : (a.help ?? null),
    risk,
    next,
    location: location && location.kind === 'location' ? { latitude: location.latitude, longitude: location.longitude } : null,
    photos: attachments.flatMap((x) => (x.kind === 'photo' ? [{ fileId: x.fileId, ...(x.caption ? { caption: x.caption } : {}) }] : [])),
  };
}

/** Answers derived when the child is chosen: what a "nothing changed" visit would carry over. */
export async function visitChildDerived(ctx: FlowContext, childId: number): Promise<Answers> {
  const child = await chosenChild(ctx, { child: childId });
  const last = await lastVisitOf(ctx.tx, childId);
  const carried: Carried | null = last ? { dimensions: last.dimensions, risk: child.riskLevel, lastVisitOn: last.visitedOn } : null;
  return { carried, needsAgreement: needsGuardianshipAgreement(child.categories) };
}
