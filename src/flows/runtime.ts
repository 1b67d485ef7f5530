// The flow runtime owns the loop: ask, parse, validate, store, move on. Back, skip, cancel, switching flows and
// "edit an answer before confirming" live here, not in the flows. State is the conversation row; every change
// bumps its version, and a button carries the version it was shown at, so an old or forged button never lands
// on the wrong question.
import { bold, message, rich, richToPlain, type Button, type OutMessage, type Rich } from '../bot/message.js';
import { caseloadPage, searchChildren } from '../db/children.js';
import type { Draft } from '../db/inboundRead.js';
import { formSavedWithTag } from '../db/savedForms.js';
import { overdueDays } from '../domain/visitPolicy.js';
import { formatDay } from '../domain/dates.js';
import { clip } from '../domain/text.js';
import { coreText } from '../i18n/core.js';
import { conversationTag, parseQuestionData, questionData } from './buttons.js';
import { childInScope } from './childInfo.js';
import { conversationText } from '../i18n/sections/conversation.js';
import { datesText } from '../i18n/sections/dates.js';
import type { DraftChange } from './draftStore.js';
import type { Answers, Attachment, Choice, Flow, FlowContext, Step, TextStep } from './types.js';

export type Conversation = Draft;

export interface Turn {
  replies: OutMessage[];
  /** The pressed question, rewritten to show the answer (or its new state, for toggles and pages). */
  resolved?: OutMessage;
  toast?: string;
  /** The form was saved or discarded: the core shows the menu after it, so the user need not type anything. */
  ended?: boolean;
}

const CONFIRM = '~confirm';
const EDIT = '~edit';
const CANCEL = '~cancel';
const SWITCH = '~switch';
const PAGE_SIZE = 6;
const SEARCH_LIMIT = 8;

/** Where "keep the draft" returns to: the question the user was on, never another meta question (asked twice). */
function returnStep(conv: { step: string; answers: Answers }): unknown {
  return conv.step === SWITCH || conv.step === CANCEL ? (conv.answers.__returnTo ?? CONFIRM) : conv.step;
}

export class FlowRuntime {
  constructor(private readonly flows: ReadonlyMap<string, Flow>) {}

  flow(name: string): Flow | undefined {
    return this.flows.get(name);
  }

  /**
   * The actor's draft as it stands in this action. It was read and locked with the action's first statement, so one
   * user's actions apply one at a time, across instances.
   */
  activeConversation(ctx: FlowContext): Conversation | undefined {
    return ctx.drafts.active();
  }

  /** Marks a draft untouched for too long as expired; returns the notice to show, if it was. */
  async expireIfStale(ctx: FlowContext, conv: Conversation): Promise<OutMessage | undefined> {
    const ttlMs = ctx.config.DRAFT_TTL_HOURS * 3_600_000;
    if (ctx.now.getTime() - conv.updatedAt.getTime() < ttlMs) return undefined;
    await this.save(ctx, conv, { status: 'expired' });
    return expiredNotice(ctx.locale, this.flows.get(conv.flow), conv, ctx.config.DRAFT_TTL_HOURS, ctx.config.TZ_NAME);
  }

  /** Starts a flow; with a draft in progress, asks first whether to continue it or discard it. */
  async start(ctx: FlowContext, flowName: string, preset: Answers = {}): Promise<Turn> {
    const flow = this.mustFlow(flowName);
    if (flow.roles && !flow.roles.includes(ctx.actor.role)) {
      return { replies: [message(flow.refusal?.(ctx.locale) ?? coreText(ctx.locale, 'flow.notForRole'))] };
    }
    // A flow without questions (a list, a lookup) answers at once and leaves any draft alone.
    if (flow.steps.length === 0) return { replies: await flow.commit(ctx, preset) };
    const idle = await flow.nothingToDo?.(ctx);
    if (idle) return { replies: idle };
    const current = this.activeConversation(ctx);
    // A lookup left open (a child's file half-chosen) is not a draft: nothing would be lost, so it is not asked about.
    if (current && this.flows.get(current.flow)?.confirm === false && current.step !== SWITCH && current.step !== CANCEL) {
      await this.save(ctx, current, { status: 'cancelled' });
    } else if (current) {
      const answers = { ...current.answers, __returnTo: returnStep(current), __switch: { flow: flowName, preset } };
      const conv = await this.save(ctx, current, { step: SWITCH, answers });
      return { replies: [await this.ask(ctx, conv)] };
    }
    const created = ctx.drafts.create({
      staffId: ctx.actor.staffId,
      channel: ctx.channel,
      chatId: ctx.chatId,
      flow: flowName,
      step: '',
      answers: { ...preset },
      trail: [],
    });
    // Answers given up front (from a child's file, a reminder, a search) are applied as if chosen, scope re-checked;
    // the flow then goes on from the FIRST unanswered step on its path, so no entry point skips a question that
    // comes before the preset one (a report's immediate-danger question comes before its child).
    let answers: Answers = { ...created.answers };
    const presetIds: string[] = [];
    for (const step of flow.steps) {
      const value = preset[step.id];
      if (value === undefined) continue;
      if (step.kind === 'child') {
        const child = await childInScope(ctx, Number(value));
        if (!child || !childAllowed(child, step)) {
          await this.save(ctx, created, { status: 'cancelled' });
          return { replies: [message(coreText(ctx.locale, 'child.notYours'))] };
        }
        answers = { ...answers, childName: child.name };
      }
      answers = { ...answers, ...((await step.derive?.(value, ctx, answers)) ?? {}) };
      answers = { ...answers, ...((await step.effect?.(value, ctx, answers)) ?? {}) };
      presetIds.push(step.id);
    }
    if (presetIds.length) answers.__preset = presetIds;
    const path = this.path(ctx, flow, answers);
    const first = path.find((s) => answers[s.id] === undefined);
    // `back` retraces what comes before the first question on the path (a preset child may be changed from there).
    const trail = path.slice(0, first ? path.indexOf(first) : path.length).map((s) => s.id);
    const target = first?.id ?? CONFIRM;
    const conv = { ...created, answers, trail };
    if (target === CONFIRM && !flow.confirm) return this.commit(ctx, conv);
    return this.goTo(ctx, conv, target, []);
  }

  /**
   * Starts a flow about a child named up front (`/status 李芳`): one match is preset as if chosen; several are
   * offered as the picker's list; none starts the flow and says so at the child question.
   */
  async startAbout(ctx: FlowContext, flowName: string, name: string): Promise<Turn> {
    const step = this.mustFlow(flowName).steps.find((s) => s.kind === 'child');
    if (!step || step.kind !== 'child' || name.length > 50) return this.start(ctx, flowName);
    const found = await searchChildren(ctx.tx, ctx.actor, name, SEARCH_LIMIT, step.includePending);
    const exact = found.filter((c) => c.name === name);
    const one = exact.length === 1 ? exact[0] : found.length === 1 ? found[0] : undefined;
    if (one) return this.start(ctx, flowName, { [step.id]: one.id });
    const started = await this.start(ctx, flowName, found.length ? { __found: found } : {});
    const note = found.length ? coreText(ctx.locale, 'child.several', { n: found.length }) : coreText(ctx.locale, 'child.noMatch', { text: name });
    return { ...started, replies: [message(note), ...started.replies] };
  }

  /** `/cancel`: asks before discarding. */
  async askCancel(ctx: FlowContext, conv: Conversation): Promise<Turn> {
    if (conv.step === CANCEL) return { replies: [await this.ask(ctx, conv)] };
    const answers: Answers = { ...conv.answers, __returnTo: returnStep(conv) };
    delete answers.__switch;
    const conv2 = await this.save(ctx, conv, { step: CANCEL, answers });
    return { replies: [await this.ask(ctx, conv2)] };
  }

  /** Shows the current question again (after a menu, a stale button, or coming back). */
  async reask(ctx: FlowContext, conv: Conversation): Promise<OutMessage> {
    return this.ask(ctx, conv);
  }

  /** A typed message, location or photo while a flow is in progress. */
  async input(ctx: FlowContext, conv: Conversation, input: { text: string } | Attachment): Promise<Turn> {
    const step = this.stepOf(conv);
    if (!step) return this.metaText(ctx, conv);
    if ('text' in input) {
      const text = input.text.trim();
      switch (step.kind) {
        case 'text': {
          if (text === '') return this.retry(ctx, conv, coreText(ctx.locale, 'input.empty'));
          const parsed = await step.parse(text, ctx, conv.answers);
          if (!parsed.ok && parsed.confirm !== undefined) return this.askToConfirm(ctx, conv, step, parsed.confirm, parsed.error);
          if (!parsed.ok) return this.retry(ctx, await this.dropPendingConfirm(ctx, conv), parsed.error);
          return this.answer(ctx, conv, step, parsed.value);
        }
        case 'choice': {
          const choice = matchChoice(await step.choices(ctx, conv.answers), text);
          if (!choice) return this.retry(ctx, conv, coreText(ctx.locale, 'input.pickButton'));
          return this.answer(ctx, conv, step, choice.value);
        }
        case 'child':
          return this.searchChild(ctx, conv, step, text);
        case 'multi':
          return this.retry(ctx, conv, coreText(ctx.locale, 'input.pickMany'));
        case 'attachments':
          return this.retry(ctx, conv, coreText(ctx.locale, 'input.attachmentExpected'));
      }
    }
    if (step.kind !== 'attachments') return this.retry(ctx, conv, coreText(ctx.locale, 'input.noAttachmentHere'));
    const list = ((conv.answers[step.id] as Attachment[] | undefined) ?? []).concat(input);
    if (list.length > step.max) return this.retry(ctx, conv, coreText(ctx.locale, 'input.tooManyAttachments', { max: step.max }));
    const saved = await this.save(ctx, conv, { answers: { ...conv.answers, [step.id]: list } });
    return { replies: [message(coreText(ctx.locale, 'input.attachmentSaved', { n: list.length })), await this.ask(ctx, saved)] };
  }

  /** A pressed flow button (`q.` data). */
  async press(ctx: FlowContext, conv: Conversation | undefined, data: string): Promise<Turn> {
    const button = parseQuestionData(data);
    if (!button) return { replies: [], toast: coreText(ctx.locale, 'button.unknown') };
    if (!conv || button.tag !== conversationTag(conv.id) || button.version !== conv.version) return this.stalePress(ctx, conv, button);
    const { op } = button;
    switch (conv.step) {
      case CANCEL:
        if (op === 'z') return this.discard(ctx, conv);
        if (op === 'k') return this.resume(ctx, conv, coreText(ctx.locale, 'cancel.kept'));
        return this.unknownOp(ctx, conv);
      case SWITCH:
        if (op === 'k') return this.resume(ctx, conv, coreText(ctx.locale, 'switch.kept'));
        if (op === 'z') {
          const next = conv.answers.__switch as { flow: string; preset: Answers };
          await this.save(ctx, conv, { status: 'cancelled' });
          const started = await this.start(ctx, next.flow, next.preset);
          return { ...started, replies: [...this.leftBehind(ctx, conv), ...started.replies], resolved: resolvedWith(await this.prompt(ctx, conv), coreText(ctx.locale, 'switch.discarded')) };
        }
        return this.unknownOp(ctx, conv);
      case CONFIRM:
        if (op === 'y') return this.commit(ctx, conv);
        if (op === 'e') {
          const saved = await this.save(ctx, conv, { step: EDIT });
          return { replies: [await this.ask(ctx, saved)], resolved: resolvedWith(await this.prompt(ctx, conv), coreText(ctx.locale, 'confirm.edit')) };
        }
        if (op === 'x') return this.askCancel(ctx, conv);
        if (op === 'b') return this.back(ctx, conv);
        return this.unknownOp(ctx, conv);
      case EDIT: {
        if (op === 'b') {
          const saved = await this.save(ctx, conv, { step: CONFIRM });
          return { replies: [await this.ask(ctx, saved)] };
        }
        const index = /^e(\d+)$/.exec(op)?.[1];
        const flow = this.mustFlow(conv.flow);
        const target = index === undefined ? undefined : flow.steps[Number(index)];
        if (!target || !this.editableSteps(ctx, conv).includes(target)) return this.unknownOp(ctx, conv);
        const saved = await this.save(ctx, conv, { step: target.id, answers: { ...conv.answers, __editing: true } });
        return { replies: [await this.ask(ctx, saved)], resolved: resolvedWith(await this.prompt(ctx, conv), await this.editLabel(ctx, conv, target)) };
      }
    }
    const step = this.stepOf(conv);
    if (!step) return this.unknownOp(ctx, conv);
    if (op === 'b') return this.back(ctx, conv);
    if (op === 'x') return this.askCancel(ctx, conv);
    if (op === 's') {
      if (!step.optional) return this.unknownOp(ctx, conv);
      return this.answer(ctx, conv, step, null);
    }
    if ((op === 'a' || op === 'r') && step.kind === 'text' && pendingConfirm(conv, step)) return this.confirmPress(ctx, conv, step, op === 'a');
    switch (step.kind) {
      case 'choice': {
        const choice = (await step.choices(ctx, conv.answers))[Number(op)];
        if (!/^\d+$/.test(op) || !choice) return this.unknownOp(ctx, conv);
        return this.answer(ctx, conv, step, choice.value);
      }
      case 'text': {
        const picked = /^v(\d{4})(\d{2})(\d{2})$/.exec(op);
        if (picked && step.date) {
          const parsed = await step.parse(`${picked[1]}-${picked[2]}-${picked[3]}`, ctx, conv.answers);
          if (!parsed.ok) return this.retry(ctx, conv, parsed.error);
          return this.answer(ctx, conv, step, parsed.value);
        }
        const shortcut = (await step.shortcuts?.(ctx, conv.answers))?.[Number(op)];
        if (!/^\d+$/.test(op) || !shortcut) return this.unknownOp(ctx, conv);
        const parsed = await step.parse(shortcut.value, ctx, conv.answers);
        if (!parsed.ok) return this.retry(ctx, conv, parsed.error);
        return this.answer(ctx, conv, step, parsed.value);
      }
      case 'multi':
        return this.multiPress(ctx, conv, step, op);
      case 'child':
        return this.childPress(ctx, conv, step, op);
      case 'attachments':
        if (op === 'd') return this.answer(ctx, conv, step, conv.answers[step.id] ?? []);
        return this.unknownOp(ctx, conv);
    }
  }

  // ---- moving between steps -------------------------------------------------------------------------------

  private async answer(ctx: FlowContext, conv: Conversation, step: Step, value: unknown): Promise<Turn> {
    const prompt = await this.prompt(ctx, conv);
    const derived = value === null ? {} : ((await step.derive?.(value, ctx, conv.answers)) ?? {});
    const changed = conv.answers[step.id] !== undefined && JSON.stringify(conv.answers[step.id]) !== JSON.stringify(value);
    const given = { ...conv.answers, ...derived, [step.id]: value };
    const withValue = changed ? await this.follow(ctx, this.mustFlow(conv.flow), step, given) : given;
    const answers = { ...withValue, ...((value === null ? undefined : await step.effect?.(value, ctx, withValue)) ?? {}) };
    delete answers.__page;
    delete answers.__pending;
    delete answers.__confirm;
    const trail = conv.trail[conv.trail.length - 1] === step.id ? conv.trail : [...conv.trail, step.id];
    const shown = value === null ? coreText(ctx.locale, 'answer.skipped') : displayOf(step, value, ctx, answers);
    const resolved = resolvedWith(prompt, shown);
    const turn = await this.advance(ctx, { ...conv, answers, trail }, step, []);
    return { ...turn, resolved };
  }

  /**
   * A changed answer carries what follows from it: answers given in its light (`dependsOn`, transitively) are
   * dropped to be asked again, and what later answers derive (`derive`) is derived again from the new answers.
   */
  private async follow(ctx: FlowContext, flow: Flow, changedStep: Step, given: Answers): Promise<Answers> {
    const answers = { ...given };
    const changed = new Set([changedStep.id]);
    for (const s of flow.steps) {
      if (s.dependsOn?.some((id) => changed.has(id)) && answers[s.id] !== undefined) {
        delete answers[s.id];
        changed.add(s.id);
      }
    }
    for (const s of flow.steps.slice(flow.steps.indexOf(changedStep) + 1)) {
      const value = answers[s.id];
      if (value !== undefined && value !== null && s.derive) Object.assign(answers, await s.derive(value, ctx, answers));
    }
    return answers;
  }

  /** Finds the next question after `from` (or the first) and asks it; at the end, confirm or commit. */
  private async advance(ctx: FlowContext, conv: Conversation, from: Step | undefined, before: OutMessage[]): Promise<Turn> {
    const flow = this.mustFlow(conv.flow);
    const editing = conv.answers.__editing === true;
    let target: string | undefined = from?.next?.(conv.answers[from.id], conv.answers);
    if (target === undefined) {
      const start = from ? flow.steps.indexOf(from) + 1 : 0;
      // Answers given up front are not asked again (unless the user goes back to them).
      const preset = new Set((conv.answers.__preset as string[] | undefined) ?? []);
      const nextStep = flow.steps.slice(start).find((s) => {
        if (!(s.when?.(conv.answers, ctx) ?? true)) return false;
        return conv.answers[s.id] === undefined || (!editing && !preset.has(s.id));
      });
      target = nextStep?.id ?? CONFIRM;
    }
    if (target === CONFIRM && !flow.confirm) return this.commit(ctx, conv, before);
    return this.goTo(ctx, conv, target, before);
  }

  private async goTo(ctx: FlowContext, conv: Conversation, target: string, before: OutMessage[]): Promise<Turn> {
    const answers = { ...conv.answers };
    if (target === CONFIRM) delete answers.__editing;
    const saved = await this.save(ctx, conv, { step: target, answers, trail: conv.trail });
    // The turn ends with this question, on the draft as saved: its page (a child question) is the update's closing read.
    return { replies: [...before, await this.ask(ctx, saved, true)] };
  }

  private async back(ctx: FlowContext, conv: Conversation): Promise<Turn> {
    const trail = [...conv.trail];
    const previous = trail.pop();
    if (previous === undefined) return this.retry(ctx, conv, coreText(ctx.locale, 'back.atStart'));
    const answers = { ...conv.answers };
    delete answers.__editing;
    delete answers.__page;
    delete answers.__pending;
    delete answers.__confirm;
    const saved = await this.save(ctx, conv, { step: previous, trail, answers });
    return { replies: [await this.ask(ctx, saved)], resolved: resolvedWith(await this.prompt(ctx, conv), coreText(ctx.locale, 'answer.back')) };
  }

  private async resume(ctx: FlowContext, conv: Conversation, note: string): Promise<Turn> {
    const answers = { ...conv.answers };
    const step = String(answers.__returnTo ?? CONFIRM);
    delete answers.__returnTo;
    delete answers.__switch;
    const saved = await this.save(ctx, conv, { step, answers });
    return { replies: [await this.ask(ctx, saved)], resolved: resolvedWith(await this.prompt(ctx, conv), note) };
  }

  private async discard(ctx: FlowContext, conv: Conversation): Promise<Turn> {
    await this.save(ctx, conv, { status: 'cancelled' });
    const text = coreText(ctx.locale, 'cancel.done');
    return { replies: [message(text), ...this.leftBehind(ctx, conv)], resolved: resolvedWith(await this.prompt(ctx, conv), text), ended: true };
  }

  /**
   * A button of an earlier question. A second tap on ✅ of a form already saved says so; otherwise the user is
   * pointed to the live question rather than shown a second live keyboard for it.
   */
  private async stalePress(ctx: FlowContext, conv: Conversation | undefined, button: { tag: string; op: string }): Promise<Turn> {
    const toast = coreText(ctx.locale, 'button.staleToast');
    if (button.op === 'y' && (!conv || button.tag !== conversationTag(conv.id)) && (await formSavedWithTag(ctx.tx, ctx.actor.staffId, button.tag))) {
      return { replies: [message(conversationText(ctx.locale, 'button.alreadySaved'))], toast: conversationText(ctx.locale, 'button.alreadySaved') };
    }
    if (!conv) return { replies: [message(coreText(ctx.locale, 'button.staleNoDraft'))], toast };
    const question = richToPlain(await this.prompt(ctx, conv)).split('\n').filter((l) => l.trim() !== '').pop() ?? '';
    return { replies: [message(conversationText(ctx.locale, 'button.stalePointer', { question }))], toast };
  }

  /** What a discarded draft leaves behind, said to its owner (an urgent report stays with the supervisors). */
  private leftBehind(ctx: FlowContext, conv: Conversation): OutMessage[] {
    const note = this.flows.get(conv.flow)?.leftBehind?.(ctx.locale, conv.answers);
    return note ? [message(note)] : [];
  }

  private async commit(ctx: FlowContext, conv: Conversation, before: OutMessage[] = []): Promise<Turn> {
    const flow = this.mustFlow(conv.flow);
    // The confirmed summary is read before the records change, and the flow's commit comes last: it takes the
    // reference counter's row lock, held to the end of the transaction, so every other commit waits that long.
    const resolved = conv.step === CONFIRM ? resolvedWith(await this.prompt(ctx, conv), coreText(ctx.locale, 'confirm.done')) : undefined;
    await this.save(ctx, conv, { status: 'done', step: '' });
    const replies = await flow.commit(ctx, this.effectiveAnswers(ctx, conv));
    return { replies: [...before, ...replies], resolved, ended: flow.confirm };
  }

  /** The answers of the steps on the path actually taken (answers of steps skipped by a later change are dropped). */
  private effectiveAnswers(ctx: FlowContext, conv: Conversation): Answers {
    const flow = this.mustFlow(conv.flow);
    const stepIds = new Set(flow.steps.map((s) => s.id));
    const onPath = new Set(this.path(ctx, flow, conv.answers).map((s) => s.id));
    return Object.fromEntries(Object.entries(conv.answers).filter(([k]) => !k.startsWith('__') && (!stepIds.has(k) || onPath.has(k))));
  }

  private path(ctx: FlowContext, flow: Flow, answers: Answers): Step[] {
    const steps: Step[] = [];
    let index = 0;
    while (index < flow.steps.length) {
      const step = flow.steps[index]!;
      if (!(step.when?.(answers, ctx) ?? true)) {
        index++;
        continue;
      }
      steps.push(step);
      if (answers[step.id] === undefined) break;
      const jump = step.next?.(answers[step.id], answers);
      if (jump === CONFIRM) break;
      index = jump ? flow.steps.findIndex((s) => s.id === jump) : index + 1;
      if (index < 0) break;
    }
    return steps;
  }

  private editableSteps(ctx: FlowContext, conv: Conversation): Step[] {
    return this.path(ctx, this.mustFlow(conv.flow), conv.answers).filter((s) => s.editable !== false && conv.answers[s.id] !== undefined);
  }

  // ---- asking ------------------------------------------------------------------------------------------------

  private async prompt(ctx: FlowContext, conv: Conversation): Promise<Rich> {
    switch (conv.step) {
      case CONFIRM: {
        const flow = this.mustFlow(conv.flow);
        return rich(bold(coreText(ctx.locale, 'confirm.title')), '\n', (await flow.summary?.(ctx, this.effectiveAnswers(ctx, conv))) ?? []);
      }
      case EDIT:
        return rich(coreText(ctx.locale, 'edit.which'));
      case CANCEL:
        return rich(coreText(ctx.locale, 'cancel.ask', { flow: this.mustFlow(conv.flow).title[ctx.locale] }));
      case SWITCH: {
        const next = this.mustFlow((conv.answers.__switch as { flow: string }).flow);
        return rich(coreText(ctx.locale, 'switch.ask', { draft: this.mustFlow(conv.flow).title[ctx.locale], next: next.title[ctx.locale] }));
      }
    }
    const step = this.stepOf(conv);
    const confirm = step && pendingConfirm(conv, step);
    if (confirm) return rich(confirm.question);
    return step ? step.prompt(ctx, conv.answers) : [];
  }

  /** `last`: nothing follows the question in this update (no statement, no draft change), so its read may close it. */
  private async ask(ctx: FlowContext, conv: Conversation, last = false): Promise<OutMessage> {
    const text = await this.prompt(ctx, conv);
    const q = (op: string) => questionData(conv.id, conv.version, op);
    const t = (key: Parameters<typeof coreText>[1]) => coreText(ctx.locale, key);
    switch (conv.step) {
      case CONFIRM:
        return message(text, [[{ label: t('confirm.yes'), data: q('y') }], [{ label: t('confirm.editButton'), data: q('e') }, { label: t('control.cancel'), data: q('x') }]]);
      case EDIT: {
        const flow = this.mustFlow(conv.flow);
        const rows: Button[][] = [];
        for (const step of this.editableSteps(ctx, conv)) {
          rows.push([{ label: await this.editLabel(ctx, conv, step), data: q(`e${flow.steps.indexOf(step)}`) }]);
        }
        rows.push([{ label: t('control.back'), data: q('b') }]);
        return message(text, rows);
      }
      case CANCEL:
        return message(text, [[{ label: t('cancel.discard'), data: q('z') }, { label: t('cancel.keep'), data: q('k') }]]);
      case SWITCH:
        return message(text, [[{ label: t('switch.keep'), data: q('k') }], [{ label: t('switch.discard'), data: q('z') }]]);
    }
    const step = this.stepOf(conv);
    if (!step) return message(text);
    if (pendingConfirm(conv, step)) {
      return message(text, [[{ label: datesText(ctx.locale, 'date.confirmYes'), data: q('a') }, { label: datesText(ctx.locale, 'date.reenter'), data: q('r') }], [{ label: t('control.cancel'), data: q('x') }]]);
    }
    const rows: Button[][] = [];
    switch (step.kind) {
      case 'choice':
        rows.push(...grid((await step.choices(ctx, conv.answers)).map((c, i) => ({ label: c.label, data: q(String(i)) })), step.columns ?? 2));
        break;
      case 'text':
        rows.push(...grid(((await step.shortcuts?.(ctx, conv.answers)) ?? []).map((c, i) => ({ label: c.label, data: q(String(i)) })), 3));
        break;
      case 'multi': {
        const picked = new Set((conv.answers.__pending as string[] | undefined) ?? []);
        const choices = await step.choices(ctx, conv.answers);
        rows.push(...grid(choices.map((c, i) => ({ label: `${picked.has(c.value) ? '☑' : '☐'} ${c.label}`, data: q(`t${i}`) })), step.columns ?? 1));
        rows.push([{ label: coreText(ctx.locale, 'multi.done', { n: picked.size }), data: q('d') }]);
        break;
      }
      case 'child':
        rows.push(...(await this.childButtons(ctx, conv, step, last)));
        break;
      case 'attachments':
        rows.push([{ label: coreText(ctx.locale, 'attachments.done', { n: ((conv.answers[step.id] as unknown[]) ?? []).length }), data: q('d') }]);
        break;
    }
    const controls: Button[] = [];
    if (conv.trail.length > 0) controls.push({ label: t('control.back'), data: q('b') });
    if (step.optional && step.kind !== 'attachments') controls.push({ label: t('control.skip'), data: q('s') });
    controls.push({ label: t('control.cancel'), data: q('x') });
    rows.push(controls);
    const asked = message(text, rows);
    return step.kind === 'text' && step.date ? { ...asked, datePicker: { data: q('v'), initial: ctx.today } } : asked;
  }

  private async editLabel(ctx: FlowContext, conv: Conversation, step: Step): Promise<string> {
    // The item's whole name (a short label where the question is long); only a long answer is shortened.
    const question = step.editName?.(ctx) ?? ((await step.prompt(ctx, conv.answers)).map((s) => s.text).join('').split('\n').pop() ?? '').replace(/[？?：:]\s*$/, '');
    const value = conv.answers[step.id];
    const shown = value === null ? coreText(ctx.locale, 'answer.skipped') : displayOf(step, value, ctx, conv.answers);
    return `${question}：${clip(shown, 16)}`;
  }

  // ---- "did you mean …?" -------------------------------------------------------------------------------------

  /** Typed text that reads as a likely answer only with the user's yes (a day without a year, far from today). */
  private async askToConfirm(ctx: FlowContext, conv: Conversation, step: Step, text: string, question: string): Promise<Turn> {
    const saved = await this.save(ctx, conv, { answers: { ...conv.answers, __confirm: { step: step.id, text, question } } });
    return { replies: [await this.ask(ctx, saved)] };
  }

  private async confirmPress(ctx: FlowContext, conv: Conversation, step: TextStep, yes: boolean): Promise<Turn> {
    const confirm = pendingConfirm(conv, step)!;
    const cleared = await this.dropPendingConfirm(ctx, conv);
    const resolved = resolvedWith(rich(confirm.question), datesText(ctx.locale, yes ? 'date.confirmYes' : 'date.reenter'));
    if (!yes) return { replies: [await this.ask(ctx, cleared)], resolved };
    const parsed = await step.parse(confirm.text, ctx, cleared.answers);
    if (!parsed.ok) return { ...(await this.retry(ctx, cleared, parsed.error)), resolved };
    return { ...(await this.answer(ctx, cleared, step, parsed.value)), resolved };
  }

  private async dropPendingConfirm(ctx: FlowContext, conv: Conversation): Promise<Conversation> {
    if (conv.answers.__confirm === undefined) return conv;
    const answers = { ...conv.answers };
    delete answers.__confirm;
    return this.save(ctx, conv, { answers });
  }

  // ---- child choice ------------------------------------------------------------------------------------------

  private async childButtons(ctx: FlowContext, conv: Conversation, step: Step & { kind: 'child' }, last: boolean): Promise<Button[][]> {
    const q = (op: string) => questionData(conv.id, conv.version, op);
    const page = Number(conv.answers.__page ?? 0);
    const found = conv.answers.__found as { id: number; name: string; nextVisitDue: string | null }[] | undefined;
    const caseload = found
      ? undefined
      : await caseloadPage(ctx.tx, ctx.actor, page, PAGE_SIZE, { includePending: step.includePending, whole: ctx.offer !== undefined, close: last ? ctx.close : undefined });
    if (caseload) ctx.offer?.(caseload.items);
    const listed = caseload ?? { items: found ?? [], hasMore: false };
    const rows: Button[][] = grid(listed.items.map((c) => ({ label: childLabel(ctx, c), data: q(`c${c.id}`) })), 2);
    const extra: Button[] = [];
    if (found) extra.push({ label: coreText(ctx.locale, 'child.caseload'), data: q('p0') });
    if (page > 0 && !found) extra.push({ label: coreText(ctx.locale, 'child.previous'), data: q(`p${page - 1}`) });
    if (listed.hasMore) extra.push({ label: coreText(ctx.locale, 'child.more'), data: q(`p${page + 1}`) });
    if (extra.length) rows.push(extra);
    if (step.allowUnknown) rows.push([{ label: coreText(ctx.locale, 'child.unknown'), data: q('u') }]);
    return rows;
  }

  private async childPress(ctx: FlowContext, conv: Conversation, step: Step & { kind: 'child' }, op: string): Promise<Turn> {
    if (op === 'u' && step.allowUnknown) return this.answer(ctx, conv, step, 'unknown');
    const page = /^p(\d+)$/.exec(op)?.[1];
    if (page !== undefined) {
      const answers: Answers = { ...conv.answers, __page: Number(page) };
      delete answers.__found;
      const saved = await this.save(ctx, conv, { answers });
      const asked = await this.ask(ctx, saved);
      return { replies: [], resolved: asked };
    }
    const id = /^c(\d+)$/.exec(op)?.[1];
    if (id === undefined) return this.unknownOp(ctx, conv);
    return this.pickChild(ctx, conv, step, Number(id));
  }

  private async pickChild(ctx: FlowContext, conv: Conversation, step: Step, childId: number): Promise<Turn> {
    // Through the action's memo: the flow's own lookups of the chosen child (derive, prompt) reuse this read.
    const child = await childInScope(ctx, childId);
    if (!child || !childAllowed(child, step)) {
      return this.retry(ctx, conv, coreText(ctx.locale, 'child.notYours'));
    }
    const answers: Answers = { ...conv.answers, childName: child.name };
    delete answers.__found;
    return this.answer(ctx, { ...conv, answers }, step, child.id);
  }

  private async searchChild(ctx: FlowContext, conv: Conversation, step: Step & { kind: 'child' }, text: string): Promise<Turn> {
    if (text === '') return this.retry(ctx, conv, coreText(ctx.locale, 'input.empty'));
    if (text.length > 50) return this.retry(ctx, conv, coreText(ctx.locale, 'child.nameTooLong'));
    const found = await searchChildren(ctx.tx, ctx.actor, text, SEARCH_LIMIT, step.includePending);
    const exact = found.filter((c) => c.name === text);
    if (found.length === 1 || exact.length === 1) return this.pickChild(ctx, conv, step, (exact[0] ?? found[0])!.id);
    if (found.length === 0) return this.retry(ctx, conv, coreText(ctx.locale, 'child.noMatch', { text }));
    const saved = await this.save(ctx, conv, { answers: { ...conv.answers, __found: found } });
    return { replies: [message(coreText(ctx.locale, 'child.several', { n: found.length })), await this.ask(ctx, saved)] };
  }

  // ---- multi choice ------------------------------------------------------------------------------------------

  private async multiPress(ctx: FlowContext, conv: Conversation, step: Step & { kind: 'multi' }, op: string): Promise<Turn> {
    const choices = await step.choices(ctx, conv.answers);
    const picked = new Set((conv.answers.__pending as string[] | undefined) ?? []);
    if (op === 'd') {
      if (picked.size < (step.min ?? 1)) return { replies: [], toast: coreText(ctx.locale, 'multi.tooFew', { n: step.min ?? 1 }) };
      return this.answer(ctx, conv, step, choices.map((c) => c.value).filter((v) => picked.has(v)));
    }
    const index = /^t(\d+)$/.exec(op)?.[1];
    const choice = index === undefined ? undefined : choices[Number(index)];
    if (!choice) return this.unknownOp(ctx, conv);
    if (picked.has(choice.value)) picked.delete(choice.value);
    else picked.add(choice.value);
    const saved = await this.save(ctx, conv, { answers: { ...conv.answers, __pending: [...picked] } });
    return { replies: [], resolved: await this.ask(ctx, saved) };
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  private async retry(ctx: FlowContext, conv: Conversation, problem: string): Promise<Turn> {
    return { replies: [message(rich('⚠️ ', problem)), await this.ask(ctx, conv)] };
  }

  private async unknownOp(ctx: FlowContext, conv: Conversation): Promise<Turn> {
    return { replies: [message(coreText(ctx.locale, 'button.stale')), await this.ask(ctx, conv)], toast: coreText(ctx.locale, 'button.staleToast') };
  }

  private async metaText(ctx: FlowContext, conv: Conversation): Promise<Turn> {
    return this.retry(ctx, conv, coreText(ctx.locale, 'input.pickButton'));
  }

  private stepOf(conv: Conversation): Step | undefined {
    return this.flows.get(conv.flow)?.steps.find((s) => s.id === conv.step);
  }

  private mustFlow(name: string): Flow {
    const flow = this.flows.get(name);
    if (!flow) throw new Error(`unknown flow ${name}`);
    return flow;
  }

  /** Bumps the version (buttons asked from the result carry it); the row is written once, with the commit. */
  private async save(ctx: FlowContext, conv: Conversation, change: DraftChange): Promise<Conversation> {
    return ctx.drafts.save(conv, change);
  }
}

/** The "did you mean …?" question open on `step`, if any. */
function pendingConfirm(conv: Conversation, step: Step): { text: string; question: string } | undefined {
  const confirm = conv.answers.__confirm as { step: string; text: string; question: string } | undefined;
  return confirm?.step === step.id ? confirm : undefined;
}

/** A child step takes active children, and pending ones where it says so (a report is never blocked by paperwork). */
function childAllowed(child: { status: string }, step: Step): boolean {
  return child.status === 'active' || (child.status === 'pending' && step.kind === 'child' && step.includePending === true);
}

function grid(buttons: Button[], columns: number): Button[][] {
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length; i += columns) rows.push(buttons.slice(i, i + columns));
  return rows;
}

function displayOf(step: Step, value: unknown, ctx: FlowContext, answers: Answers): string {
  if (step.display) return step.display(value, ctx, answers);
  if (step.kind === 'child') return value === 'unknown' ? coreText(ctx.locale, 'child.unknown') : String(answers.childName ?? value);
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

export function resolvedWith(prompt: Rich, answer: string): OutMessage {
  return { text: rich(prompt, '\n→ ', bold(answer)) };
}

function matchChoice(choices: Choice[], text: string): Choice | undefined {
  const norm = (s: string) => s.replace(/[\s·]/gu, '').replace(/\p{Extended_Pictographic}/gu, '').toLowerCase();
  const wanted = norm(text);
  if (/^\d{1,2}$/.test(wanted)) return choices[Number(wanted) - 1];
  return choices.find((c) => norm(c.label) === wanted || c.value.toLowerCase() === wanted);
}


function childLabel(ctx: FlowContext, c: { name: string; nextVisitDue: string | null }): string {
  if (!c.nextVisitDue) return c.name;
  const late = overdueDays(c.nextVisitDue, ctx.today);
  if (late > 0) return `${c.name} · ${coreText(ctx.locale, 'child.overdue', { n: late })}`;
  if (c.nextVisitDue === ctx.today) return `${c.name} · ${coreText(ctx.locale, 'child.dueToday')}`;
  return `${c.name} · ${formatDay(c.nextVisitDue, ctx.locale, ctx)}`;
}

function expiredNotice(locale: FlowContext['locale'], flow: Flow | undefined, conv: Conversation, hours: number, timeZone: string): OutMessage {
  const started = conv.startedAt.toLocaleString(locale === 'en' ? 'en-GB' : 'zh-CN', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const expired = coreText(locale, 'draft.expired', { flow: flow?.title[locale] ?? conv.flow, started, hours });
  const note = flow?.leftBehind?.(locale, conv.answers);
  return message(note ? `${expired}\n${note}` : expired);
}

export { expiredNotice };
