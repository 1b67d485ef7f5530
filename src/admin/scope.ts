// The CLI's exports use the data layer's one scoping rule (src/db/children.ts) when run as a staff member.
import type { SQL } from 'drizzle-orm';
import type { Actor } from '../db/actor.js';
import { childScope } from '../db/children.js';

export function scopeForExport(actor: Actor): SQL | undefined {
  return actor.role === 'admin' ? undefined : childScope(actor);
}
