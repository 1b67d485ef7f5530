// The child a flow is about, read in the actor's scope (the runtime checked it when the child was chosen; this
// re-reads so a child moved out of scope mid-flow is refused at commit too).
import type { Conn } from '../db/client.js';
import { childForActor, refuse, type ChildRow } from '../db/children.js';
import { ageOn } from '../domain/dates.js';
import { categoryNames, nameOf, riskNames } from '../i18n/domain.js';
import { flowText } from '../i18n/flows.js';
import { once, type Answers, type FlowContext } from './types.js';

/**
 * The flow's child is no longer the actor's to see: the update stops and its transaction rolls back, refusal audit
 * included, so the core records the refusal again after the rollback ({@link recordRefusal}).
 */
export class ChildOutOfScope extends Error {
  constructor(
    readonly childId: number,
    readonly staffId: number,
    readonly channel: string,
  ) {
    super(`child ${childId} is out of scope for staff ${staffId}`);
  }

  recordRefusal(conn: Conn): Promise<void> {
    return refuse(conn, { staffId: this.staffId }, 'child', this.childId, this.childId, this.channel);
  }
}

export async function chosenChild(ctx: FlowContext, answers: Answers): Promise<ChildRow> {
  const child = await childInScope(ctx, Number(answers.child));
  if (!child) throw new ChildOutOfScope(Number(answers.child), ctx.actor.staffId, ctx.channel);
  return child;
}

/** The child with this id in the actor's scope, read once per action (undefined, refused and audited, if not). */
export function childInScope(ctx: FlowContext, id: number): Promise<ChildRow | undefined> {
  return once(ctx, childMemoKey(id), () => childForActor(ctx.tx, ctx.actor, id, ctx.channel));
}

export const childMemoKey = (id: number) => `child:${id}`;

/** "王小明，9岁，留守儿童，🟡 黄色" */
export function childHeadline(ctx: FlowContext, child: ChildRow): string {
  const parts = [child.name];
  if (child.birthDate) parts.push(flowText(ctx.locale, 'child.age', { n: ageOn(child.birthDate, ctx.today) }));
  if (child.categories.length) parts.push(child.categories.map((c) => nameOf(categoryNames, ctx.locale, c)).join('、'));
  parts.push(nameOf(riskNames, ctx.locale, child.riskLevel));
  return parts.join(ctx.locale === 'en' ? ', ' : '，');
}
