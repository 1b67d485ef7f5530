// Who is behind a browser of the local chat: a random token in an HttpOnly cookie, stored only as its SHA-256.
// A session speaks as one local channel identity: a fresh one bound by an invite code at each sign-in (ended
// with the session, so nothing is delivered to a chat nobody can open again), or a seeded demo identity, which is
// good only while the database holds nothing but the demo county.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, lte } from 'drizzle-orm';
import { audit } from '../../db/audit.js';
import type { Conn } from '../../db/client.js';
import { channelIdentities, localSessions } from '../../db/schema.js';
import { demoIdentityPrefix, holdsOnlyDemoCounty } from '../../db/seed.js';

/** A working day: long enough for a day in the field, short enough that a forgotten browser closes itself. */
export const SESSION_HOURS = 12;

/** Identities bound by an invite code on the local chat; each belongs to exactly one session. */
export const signInIdentityPrefix = 'web:';

export interface LocalSession {
  id: number;
  externalId: string;
  staffId: number;
  demo: boolean;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const newSignInIdentity = (): string => `${signInIdentityPrefix}${randomBytes(16).toString('hex')}`;

/** Opens a session and returns the token for the cookie (the only place it ever exists in clear). */
export async function openSession(conn: Conn, s: { externalId: string; staffId: number; demo: boolean; now: Date }): Promise<{ token: string; expiresAt: Date }> {
  await closeExpiredSessions(conn, s.now);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(s.now.getTime() + SESSION_HOURS * 3_600_000);
  await conn.insert(localSessions).values({ tokenHash: hashToken(token), externalId: s.externalId, staffId: s.staffId, demo: s.demo, expiresAt });
  await audit(conn, { actorStaffId: s.staffId, channel: 'local', action: 'local.signIn', detail: { demo: s.demo }, at: s.now });
  return { token, expiresAt };
}

export type SessionCheck = { ok: true; session: LocalSession } | { ok: false; reason: 'none' | 'demoEnded' };

/** The live session a cookie names. A demo session dies (and is deleted) as soon as real data exists. */
export async function sessionFor(conn: Conn, token: string | undefined, now: Date): Promise<SessionCheck> {
  if (!token || token.length > 100) return { ok: false, reason: 'none' };
  const [row] = await conn.select().from(localSessions).where(eq(localSessions.tokenHash, hashToken(token)));
  if (!row || row.expiresAt <= now) return { ok: false, reason: 'none' };
  if (row.demo && !(await holdsOnlyDemoCounty(conn))) {
    await conn.delete(localSessions).where(eq(localSessions.demo, true));
    return { ok: false, reason: 'demoEnded' };
  }
  return { ok: true, session: row };
}

/** Signs out: the session goes, and with it the identity an invite code bound for it. */
export async function closeSession(conn: Conn, session: LocalSession, now: Date): Promise<void> {
  await conn.delete(localSessions).where(eq(localSessions.id, session.id));
  if (session.externalId.startsWith(signInIdentityPrefix)) await dropIdentity(conn, session.externalId);
  await audit(conn, { actorStaffId: session.staffId, channel: 'local', action: 'local.signOut', detail: {}, at: now });
}

async function closeExpiredSessions(conn: Conn, now: Date): Promise<void> {
  const expired = await conn.delete(localSessions).where(lte(localSessions.expiresAt, now)).returning({ externalId: localSessions.externalId });
  for (const { externalId } of expired) if (externalId.startsWith(signInIdentityPrefix)) await dropIdentity(conn, externalId);
}

async function dropIdentity(conn: Conn, externalId: string): Promise<void> {
  await conn.delete(channelIdentities).where(and(eq(channelIdentities.channel, 'local'), eq(channelIdentities.externalId, externalId)));
}

export interface DemoIdentity {
  staffId: number;
  externalId: string;
}

/** The demo identity of a staff member, if the database still holds only the demo county. */
export async function demoIdentity(conn: Conn, staffId: number): Promise<DemoIdentity | undefined> {
  if (!(await holdsOnlyDemoCounty(conn))) return undefined;
  const externalId = `${demoIdentityPrefix}${staffId}`;
  const [row] = await conn
    .select({ staffId: channelIdentities.staffId })
    .from(channelIdentities)
    .where(and(eq(channelIdentities.channel, 'local'), eq(channelIdentities.externalId, externalId), eq(channelIdentities.staffId, staffId)));
  return row ? { staffId: row.staffId, externalId } : undefined;
}
