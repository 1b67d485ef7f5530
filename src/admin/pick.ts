// Naming a person or a child by name instead of id: one match is taken, several are listed to choose from — by
// number at a terminal, or with exit code 1 and the ids to use when nobody can answer (a script, the service).
import { AdminError, say, type AdminContext } from './context.js';

/** A LIKE pattern for names containing `text` (its own % and _ taken literally). */
export const containing = (text: string): string => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

export async function pickOne<T>(ctx: AdminContext, name: string, candidates: T[], label: (candidate: T) => string): Promise<T | undefined> {
  if (candidates.length <= 1) return candidates[0];
  ctx.io.err(say(ctx, 'pick.several', { count: candidates.length, name }));
  candidates.forEach((c, i) => ctx.io.err(say(ctx, 'pick.line', { n: i + 1, label: label(c) })));
  if (!ctx.io.ask) throw new AdminError('pick.useId', { name });
  const answer = (await ctx.io.ask(say(ctx, 'pick.ask', { count: candidates.length }))).normalize('NFKC').trim();
  const chosen = /^\d+$/.test(answer) ? candidates[Number(answer) - 1] : undefined;
  if (!chosen) throw new AdminError('pick.cancelled');
  return chosen;
}
