// Register a child found during door-to-door checks (摸排), not yet on the roster: the caseworker fills a short
// form, the child is created `pending`, and the area's supervisors get an approve/reject card through the outbox
// (buttons `a.ok.<id>` / `a.no.<id>`, handled by `registerApprovalActions`). A supervisor can also find waiting
// registrations with /approve. On approval the child joins the caseworker's caseload with a first visit due today.
import { z } from 'zod';
import { bold, message, rich, type OutMessage } from '../bot/message.js';
import type { Actor } from '../db/actor.js';
import { audit } from '../db/audit.js';
import { childForActor, villagesOf } from '../db/children.js';
import type { Tx } from '../db/client.js';
import { children } from '../db/schema.js';
import { childCategories, riskLevels } from '../domain/categories.js';
import { addDays, formatDay } from '../domain/dates.js';
import { maskPhone } from '../domain/mask.js';
import { categoryNames, nameOf, riskNames, sexNames } from '../i18n/domain.js';
import { peopleText, type PeopleKey } from '../i18n/sections/people.js';
import type { Locale } from '../i18n/translator.js';
import { parseRosterDate } from '../roster/dates.js';
import { approvalCard, decideRegistration, pendingRegistrations, possibleDuplicates, requestApproval, type ChildRow, type Decision } from '../roster/registration.js';
import { normalizePhone } from '../roster/rows.js';
import { cleanName } from '../roster/text.js';
import type { Answers, ChoiceStep, Flow, FlowContext, Parsed, TextStep } from './types.js';

const t = (ctx: { locale: Locale }, key: PeopleKey, params?: Record<string, string | number>) => peopleText(ctx.locale, key, params);
const relations = ['father', 'mother', 'grandfather', 'grandmother', 'maternal_grandfather', 'maternal_grandmother', 'relative', 'other'] as const;

const registerAnswers = z.object({
  name: z.string().min(1).max(50),
  sex: z.enum(['male', 'female']),
  birth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  village: z.string().min(1).max(40),
  categories: z.array(z.enum(childCategories)).min(1),
  guardian: z.string().min(1).max(50),
  relation: z.enum(relations),
  phone: z.string().regex(/^\d{7,12}$/).nullish(),
  risk: z.enum(riskLevels),
});

function nameStep(id: 'name' | 'guardian', prompt: PeopleKey): TextStep {
  return {
    id,
    kind: 'text',
    prompt: (ctx) => rich(t(ctx, prompt)),
    parse: (text, ctx): Parsed<string> => {
      const name = cleanName(text);
      return name.length >= 1 && [...name].length <= 50 && !name.startsWith('/') ? { ok: true, value: name } : { ok: false, error: t(ctx, 'register.nameInvalid') };
    },
  };
}

const choice = (id: string, prompt: PeopleKey, values: readonly string[], label: (value: string, ctx: FlowContext) => string, columns = 2): ChoiceStep => ({
  id,
  kind: 'choice',
  prompt: (ctx) => rich(t(ctx, prompt)),
  choices: (ctx) => values.map((value) => ({ value, label: label(value, ctx) })),
  display: (v, ctx) => label(String(v), ctx),
  columns,
});

const birthStep: TextStep = {
  id: 'birth',
  kind: 'text',
  prompt: (ctx) => rich(t(ctx, 'register.birth')),
  parse: (text, ctx): Parsed<string> => {
    const day = parseRosterDate(text);
    if (!day) return { ok: false, error: t(ctx, 'register.birthInvalid') };
    if (day > ctx.today) return { ok: false, error: t(ctx, 'register.birthFuture') };
    if (day <= addDays(ctx.today, -18 * 365 - 5)) return { ok: false, error: t(ctx, 'register.birthTooOld') };
    return { ok: true, value: day };
  },
  display: (v, ctx) => formatDay(String(v), ctx.locale, { withYear: true }),
};

/** The caseworker's villages as buttons; the village's name is kept for the summary. */
const villageStep: ChoiceStep = {
  id: 'village',
  kind: 'choice',
  prompt: async (ctx) => rich(t(ctx, (await villagesOf(ctx.tx, ctx.actor)).length ? 'register.village' : 'register.noVillage')),
  choices: async (ctx) => (await villagesOf(ctx.tx, ctx.actor)).map((v) => ({ value: v.code, label: v.name })),
  derive: async (value, ctx) => ({ villageName: (await villagesOf(ctx.tx, ctx.actor)).find((v) => v.code === value)?.name ?? String(value) }),
  display: (v, _ctx, answers) => String(answers.villageName ?? v),
  columns: 2,
};

const categoriesStep = {
  id: 'categories',
  kind: 'multi' as const,
  min: 1,
  prompt: (ctx: FlowContext) => rich(t(ctx, 'register.categories')),
  choices: (ctx: FlowContext) => childCategories.map((c) => ({ value: c, label: nameOf(categoryNames, ctx.locale, c) })),
  display: (v: unknown, ctx: FlowContext) => (v as string[]).map((c) => nameOf(categoryNames, ctx.locale, c)).join('、'),
};

const phoneStep: TextStep = {
  id: 'phone',
  kind: 'text',
  optional: true,
  prompt: (ctx) => rich(t(ctx, 'register.phone')),
  parse: (text, ctx): Parsed<string> => {
    const phone = normalizePhone(text);
    return phone ? { ok: true, value: phone } : { ok: false, error: t(ctx, 'register.phoneInvalid') };
  },
  // Shown masked even to the person who typed it: chats are kept on phones and forwarded.
  display: (v) => maskPhone(String(v)),
};

async function villageInScope(tx: Tx, actor: Actor, code: string): Promise<boolean> {
  return (await villagesOf(tx, actor)).some((v) => v.code === code);
}

export const registerFlow: Flow = {
  name: 'register',
  title: { 'zh-CN': '登记新儿童', en: 'Register a child' },
  confirm: true,
  roles: ['caseworker', 'supervisor', 'admin'],
  steps: [
    nameStep('name', 'register.name'),
    choice('sex', 'register.sex', ['male', 'female'], (v, ctx) => nameOf(sexNames, ctx.locale, v)),
    birthStep,
    villageStep,
    categoriesStep,
    nameStep('guardian', 'register.guardian'),
    choice('relation', 'register.relation', relations, (v, ctx) => t(ctx, `relation.${v}` as PeopleKey), 3),
    phoneStep,
    choice('risk', 'register.risk', [...riskLevels], (v, ctx) => nameOf(riskNames, ctx.locale, v)),
  ],

  summary(ctx, answers) {
    const a = registerAnswers.parse(answers);
    return rich(
      t(ctx, 'register.summaryChild', {
        name: a.name,
        sex: nameOf(sexNames, ctx.locale, a.sex),
        birth: formatDay(a.birth, ctx.locale, { withYear: true }),
        village: String(answers.villageName ?? a.village),
      }), '\n',
      t(ctx, 'register.summaryCategories', { categories: a.categories.map((c) => nameOf(categoryNames, ctx.locale, c)).join('、') }), '\n',
      t(ctx, 'register.summaryGuardian', { guardian: a.guardian, relation: t(ctx, `relation.${a.relation}` as PeopleKey), phone: maskPhone(a.phone) }).trimEnd(), '\n',
      t(ctx, 'register.summaryRisk', { risk: nameOf(riskNames, ctx.locale, a.risk) }), '\n',
      t(ctx, 'register.summaryNote'),
    );
  },

  async commit(ctx, answers) {
    const a = registerAnswers.parse(answers);
    // The village was offered from the caseworker's area; it is checked again in case the area changed since.
    if (!(await villageInScope(ctx.tx, ctx.actor, a.village))) return [message(t(ctx, 'register.villageGone'))];
    const [child] = await ctx.tx
      .insert(children)
      .values({
        name: a.name,
        sex: a.sex,
        birthDate: a.birth,
        categories: [...a.categories].sort(),
        riskLevel: a.risk,
        areaCode: a.village,
        guardianName: a.guardian,
        // Stored in Chinese, as the roster and the bureau's systems have it.
        guardianRelation: peopleText('zh-CN', `relation.${a.relation}` as PeopleKey),
        guardianPhone: a.phone ?? null,
        status: 'pending',
        registeredBy: ctx.actor.staffId,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    const duplicates = await possibleDuplicates(ctx.tx, child!);
    await audit(ctx.tx, {
      actorStaffId: ctx.actor.staffId,
      channel: ctx.channel,
      action: 'child.register',
      childId: child!.id,
      detail: { possibleDuplicates: duplicates.map((d) => d.id) },
      at: ctx.now,
    });
    const told = await requestApproval(ctx.tx, child!, ctx.now, ctx.config.DEFAULT_LOCALE);
    const names = told.map((r) => r.name).join('、') || t(ctx, 'register.nobody');
    return [message(rich('✅ ', t(ctx, 'register.saved', { name: a.name, names })))];
  },
};

/** /approve: the pull path to the same decision, for a supervisor who wants the list rather than the cards. */
export const approveFlow: Flow = {
  name: 'approve',
  title: { 'zh-CN': '审核新登记', en: 'Review registrations' },
  confirm: false,
  roles: ['supervisor', 'admin'],
  // With nothing waiting, it says so and opens nothing (no button that would only say it again).
  nothingToDo: async (ctx) => ((await pendingRegistrations(ctx.tx, ctx.actor)).length ? undefined : [message(t(ctx, 'approve.none'))]),
  steps: [
    {
      id: 'child',
      kind: 'choice',
      prompt: (ctx) => rich(t(ctx, 'approve.child')),
      // A list emptied by another supervisor meanwhile: one button ends the conversation.
      choices: async (ctx) => {
        const pending = await pendingRegistrations(ctx.tx, ctx.actor);
        if (pending.length === 0) return [{ value: 'none', label: t(ctx, 'approve.ok') }];
        return pending.map((p) => ({ value: String(p.id), label: `${p.name} · ${p.village} · ${p.registrar ?? '—'}` }));
      },
      columns: 1,
    },
    {
      id: 'decision',
      kind: 'choice',
      when: (answers) => answers.child !== 'none',
      prompt: async (ctx, answers) => {
        const child = await childForActor(ctx.tx, ctx.actor, Number(answers.child), ctx.channel);
        if (!child) return rich(t(ctx, 'approve.decision'));
        const card = await approvalCard(ctx.tx, child, ctx.locale);
        return rich(...card.text, '\n\n', t(ctx, 'approve.decision'));
      },
      choices: (ctx) => [
        { value: 'approve', label: t(ctx, 'approval.approve') },
        { value: 'reject', label: t(ctx, 'approval.reject') },
      ],
    },
  ],
  async commit(ctx, answers: Answers) {
    if (answers.child === 'none') return [message(t(ctx, 'approve.none'))];
    const decision = z.enum(['approve', 'reject']).parse(answers.decision);
    return (await decide(ctx, Number(answers.child), decision)).replies;
  },
};

interface DecisionContext {
  tx: Tx;
  actor: Actor;
  locale: Locale;
  channel: string;
  now: Date;
  today: string;
  config: { DEFAULT_LOCALE: Locale };
}

async function decide(
  ctx: DecisionContext,
  childId: number,
  decision: Decision,
): Promise<{ replies: OutMessage[]; toast?: string; child?: ChildRow; outcome?: string }> {
  const result = await decideRegistration(ctx.tx, ctx.actor, childId, decision, {
    now: ctx.now,
    today: ctx.today,
    channel: ctx.channel,
    defaultLocale: ctx.config.DEFAULT_LOCALE,
  });
  if (!result.ok) {
    if (result.reason === 'already') {
      const text = t(ctx, 'approval.already', { name: result.child.name, status: t(ctx, `status.${result.child.status}` as PeopleKey) });
      return { replies: [message(text)], toast: text, child: result.child, outcome: t(ctx, `status.${result.child.status}` as PeopleKey) };
    }
    return { replies: [message(t(ctx, 'approval.notAllowed'))], toast: t(ctx, 'approval.notAllowed') };
  }
  const key = decision === 'approve' ? 'approval.approved' : 'approval.rejected';
  return {
    replies: [message(t(ctx, key, { name: result.child.name, caseworker: result.caseworker }))],
    toast: t(ctx, decision === 'approve' ? 'approval.toastApproved' : 'approval.toastRejected'),
    child: result.child,
    outcome: t(ctx, decision === 'approve' ? 'approval.toastApproved' : 'approval.toastRejected'),
  };
}

const buttonData = z.string().regex(/^a\.(ok|no)\.([1-9]\d{0,9})$/);

/** Handles `a.ok.<childId>` / `a.no.<childId>` from the approval card; nothing in the data is trusted. */
export async function handleApprovalButton(ctx: DecisionContext, data: string): Promise<{ replies: OutMessage[]; toast?: string; resolved?: OutMessage }> {
  const parsed = buttonData.safeParse(data);
  if (!parsed.success) return { replies: [], toast: t(ctx, 'approval.notAllowed') };
  const [, op, id] = /^a\.(ok|no)\.(\d+)$/.exec(parsed.data)!;
  const { replies, toast, child, outcome } = await decide(ctx, Number(id), op === 'ok' ? 'approve' : 'reject');
  // The card itself now reads as decided, without its buttons, so no one presses it again.
  const resolved = child && outcome ? message(rich(...(await approvalCard(ctx.tx, child, ctx.locale)).text, '\n', bold(`→ ${outcome}`))) : undefined;
  return { replies, ...(toast ? { toast } : {}), ...(resolved ? { resolved } : {}) };
}

/** Registers the approval card's buttons on the core: `registerApprovalActions(core)` in the composition root. */
export function registerApprovalActions(core: {
  onAction(prefix: string, handler: (ctx: DecisionContext, data: string) => Promise<{ replies: OutMessage[]; toast?: string; resolved?: OutMessage }>): void;
}): void {
  core.onAction('a.', handleApprovalButton);
}
