// The person behind an action: every query that reads a child takes one.
import { and, eq } from 'drizzle-orm';
import type { Conn } from './client.js';
import { areas, channelIdentities, staff, type ChannelName, type Role } from './schema.js';

export interface Actor {
  staffId: number;
  name: string;
  role: Role;
  areaCode: string;
  /** The materialised path of the actor's area: a supervisor sees every area whose path starts with it. */
  areaPath: string;
  locale: string | null;
}

const actorColumns = {
  staffId: staff.id,
  name: staff.name,
  role: staff.role,
  areaCode: staff.areaCode,
  areaPath: areas.path,
  locale: staff.locale,
};

/** The active staff member bound to a channel account, if any (a deactivated one is no longer anyone). */
export async function actorForIdentity(conn: Conn, channel: ChannelName, externalId: string): Promise<Actor | undefined> {
  const [row] = await conn
    .select({ ...actorColumns, identityLocale: channelIdentities.locale })
    .from(channelIdentities)
    .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
    .innerJoin(areas, eq(areas.code, staff.areaCode))
    .where(and(eq(channelIdentities.channel, channel), eq(channelIdentities.externalId, externalId), eq(staff.active, true)))
    .limit(1);
  if (!row) return undefined;
  const { identityLocale, ...actor } = row;
  return { ...actor, locale: actor.locale ?? identityLocale };
}

export async function actorForStaff(conn: Conn, staffId: number): Promise<Actor | undefined> {
  const [row] = await conn
    .select(actorColumns)
    .from(staff)
    .innerJoin(areas, eq(areas.code, staff.areaCode))
    .where(and(eq(staff.id, staffId), eq(staff.active, true)))
    .limit(1);
  return row;
}
