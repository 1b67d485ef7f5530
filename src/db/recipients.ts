// Who should hear about something in an area, and where to reach them.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Conn } from './client.js';
import { areas, channelIdentities, staff, type ChannelName } from './schema.js';

export interface Recipient {
  staffId: number;
  name: string;
  locale: string | null;
  areaCode: string;
}

/**
 * The active supervisors responsible for an area, `level` steps up the tree: level 0 are the supervisors of the
 * nearest enclosing area that has any (village → township → county …); each further level climbs to the next
 * enclosing area that has supervisors. At the top, the admins. Empty when nobody is left above.
 */
export async function supervisorsFor(conn: Conn, areaCode: string, level = 0): Promise<Recipient[]> {
  const [area] = await conn.select({ path: areas.path }).from(areas).where(eq(areas.code, areaCode));
  if (!area) return [];
  const ancestorCodes = area.path.split('/').filter(Boolean).reverse();
  const candidates = await conn
    .select({ staffId: staff.id, name: staff.name, locale: staff.locale, areaCode: staff.areaCode })
    .from(staff)
    .where(and(eq(staff.role, 'supervisor'), eq(staff.active, true), inArray(staff.areaCode, ancestorCodes)))
    .orderBy(asc(staff.id));
  const levels: Recipient[][] = [];
  for (const code of ancestorCodes) {
    const here = candidates.filter((c) => c.areaCode === code);
    if (here.length > 0) levels.push(here);
  }
  levels.push(await admins(conn));
  return levels[level] ?? [];
}

export async function admins(conn: Conn): Promise<Recipient[]> {
  return conn
    .select({ staffId: staff.id, name: staff.name, locale: staff.locale, areaCode: staff.areaCode })
    .from(staff)
    .where(and(eq(staff.role, 'admin'), eq(staff.active, true)))
    .orderBy(asc(staff.id));
}

export interface Reachable {
  staffId: number;
  channel: ChannelName;
  chatId: string;
  locale: string | null;
}

/** Every channel account of these staff members (a person bound on two messengers hears on both). */
export async function reachableIdentities(conn: Conn, staffIds: number[]): Promise<Reachable[]> {
  if (staffIds.length === 0) return [];
  return conn
    .select({
      staffId: channelIdentities.staffId,
      channel: channelIdentities.channel,
      chatId: channelIdentities.chatId,
      locale: sql<string | null>`coalesce(${staff.locale}, ${channelIdentities.locale})`,
    })
    .from(channelIdentities)
    .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
    .where(and(inArray(channelIdentities.staffId, staffIds), eq(staff.active, true)))
    .orderBy(asc(channelIdentities.id));
}
