// What a flow is: a list of steps (data) plus a commit. The runtime (runtime.ts) owns the loop.
import type { OutMessage, Rich } from '../bot/message.js';
import type { Config } from '../config.js';
import type { Actor } from '../db/actor.js';
import type { ChildListItem } from '../db/children.js';
import type { Tx } from '../db/client.js';
import type { SendClosing } from '../db/closing.js';
import type { ChannelName } from '../db/schema.js';
import type { PolicyRow } from '../domain/visitPolicy.js';
import type { Locale } from '../i18n/translator.js';
import type { DraftStore } from './draftStore.js';

export type Answers = Record<string, unknown>;

export interface FlowContext {
  tx: Tx;
  actor: Actor;
  locale: Locale;
  channel: ChannelName;
  chatId: string;
  now: Date;
  /** Today in the deployment's time zone, YYYY-MM-DD. */
  today: string;
  config: Config;
  /** The actor's drafts in this action (read and locked with its first statement, written with its commit). */
  drafts: DraftStore;
  /** The visit policy table, from the process's cache (dropped whenever the table changes). */
  visitPolicy(): Promise<PolicyRow[]>;
  /** Reads shared by the prompts and checks of one action (the chosen child, the visit policy), made once. */
  memo?: Map<string, Promise<unknown>>;
  /** Notes the children this action offers to choose from (the caseload page's buttons), for the next action. */
  offer?(children: readonly ChildListItem[]): void;
  /**
   * Sends a write with the commit (pipelined with it on PostgreSQL), for writes whose result the action does not
   * need. `write` must send its statements at once: drizzle's `.execute()`, not `await` on the query builder.
   */
  later?(write: () => Promise<unknown>): void;
  /**
   * Sends the action's closing write (src/db/closing.ts): after it the action sends nothing and changes no draft — a
   * flow's commit, once the form is saved as done. Where the update allows, it goes with the update's guard and draft
   * write as one statement.
   */
  close?: SendClosing;
}

/** A write whose result the action does not need: sent with the commit where the context allows, else now. */
export async function withCommit(ctx: FlowContext, write: () => Promise<unknown>): Promise<void> {
  if (ctx.later) ctx.later(write);
  else await write();
}

/** Runs `read` once per action for `key`; without a memo, every time. */
export function once<T>(ctx: FlowContext, key: string, read: () => Promise<T>): Promise<T> {
  if (!ctx.memo) return read();
  let hit = ctx.memo.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = read();
    ctx.memo.set(key, hit);
  }
  return hit;
}

export interface Choice {
  value: string;
  label: string;
}

/**
 * An answer read from typed text, or what is wrong with it. `confirm`: the text reads as a likely answer that
 * needs the user's yes first (a day typed without a year, far from today); `error` then holds the question and a
 * "yes" parses `confirm` again.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; confirm?: string };

/** An attachment sent where a step accepts them (location pin, photo). */
export type Attachment = { kind: 'location'; latitude: number; longitude: number } | { kind: 'photo'; fileId: string; caption?: string };

interface StepBase {
  id: string;
  prompt(ctx: FlowContext, answers: Answers): Rich | Promise<Rich>;
  /** Asked only when this holds (evaluated on the answers so far). */
  when?(answers: Answers, ctx: FlowContext): boolean;
  /** The user may skip it; the answer is then `null`. */
  optional?: boolean;
  /** How the answer reads in the summary and in the resolved question; default: the value as text. */
  display?(value: unknown, ctx: FlowContext, answers: Answers): string;
  /** Where to go after this step (a step id or `~confirm`); default: the next step whose `when` holds. */
  next?(value: unknown, answers: Answers): string | undefined;
  /** Further answers that follow from this one (e.g. "nothing changed" carries the last visit over). */
  derive?(value: unknown, ctx: FlowContext, answers: Answers): Answers | Promise<Answers>;
  /** The item's name in the ✏️ list, where the question is long (a headline before it, a hint after it). */
  editName?(ctx: FlowContext): string;
  /** Shown in the summary's edit list; default true for asked steps. */
  editable?: boolean;
  /**
   * The answers this one was given in the light of (the next visit date, chosen against the visit date and risk):
   * when one of them changes (✏️ 修改, or going back), this answer is dropped and asked again.
   */
  dependsOn?: readonly string[];
  /**
   * What the answer does at once, in the same transaction as storing it (e.g. "immediate danger = yes" opens the
   * report and alerts the supervisors); returns further answers to keep (e.g. the report's id). Runs again when
   * the step is answered again (back, edit), so it must be safe to repeat.
   */
  effect?(value: unknown, ctx: FlowContext, answers: Answers): Promise<Answers | void>;
}

export interface ChoiceStep extends StepBase {
  kind: 'choice';
  choices(ctx: FlowContext, answers: Answers): Choice[] | Promise<Choice[]>;
  /** Buttons per row. */
  columns?: number;
}

export interface MultiStep extends StepBase {
  kind: 'multi';
  choices(ctx: FlowContext, answers: Answers): Choice[] | Promise<Choice[]>;
  min?: number;
  columns?: number;
}

export interface TextStep extends StepBase {
  kind: 'text';
  /** Turns typed text into the answer or a message saying what is wrong. */
  parse(text: string, ctx: FlowContext, answers: Answers): Parsed<unknown> | Promise<Parsed<unknown>>;
  /** Buttons offered besides typing (e.g. today / yesterday for a date); their value is the answer. */
  shortcuts?(ctx: FlowContext, answers: Answers): Choice[] | Promise<Choice[]>;
  /** The answer is a calendar day: channels with a date picker offer one. */
  date?: boolean;
}

export interface ChildStep extends StepBase {
  kind: 'child';
  /** Offer "not on the roster" (value `unknown`). */
  allowUnknown?: boolean;
  /** Include children pending approval. */
  includePending?: boolean;
}

export interface AttachmentStep extends StepBase {
  kind: 'attachments';
  max: number;
}

export type Step = ChoiceStep | MultiStep | TextStep | ChildStep | AttachmentStep;

export interface Flow {
  name: string;
  /** i18n key of the flow's title, e.g. "记录走访". */
  title: Record<Locale, string>;
  steps: Step[];
  /** Whether the answers are shown for confirmation before `commit`; status lookups commit at once. */
  confirm: boolean;
  summary?(ctx: FlowContext, answers: Answers): Rich | Promise<Rich>;
  /** Validates the final answers (zod) and writes the records in `ctx.tx`; returns what to tell the user. */
  commit(ctx: FlowContext, answers: Answers): Promise<OutMessage[]>;
  /** A line for the user when the draft is discarded or expires, saying what stays behind (an urgent report does). */
  leftBehind?(locale: Locale, answers: Answers): string | undefined;
  /** What to say instead of starting, when there is nothing to do (nothing awaiting approval): no draft is opened. */
  nothingToDo?(ctx: FlowContext): Promise<OutMessage[] | undefined>;
  /** Roles allowed to start it. */
  roles?: readonly Actor['role'][];
  /** What anyone else is told (default: the generic "your role cannot use this"). */
  refusal?(locale: Locale): string;
}
