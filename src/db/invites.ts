// One-time invite codes: stored hashed, expiring, and guarded against guessing (attempts are throttled and audited).
import { createHash, randomInt } from 'node:crypto';
import { and, count, eq, gt, gte, isNull } from 'drizzle-orm';
import { audit } from './audit.js';
import type { Conn } from './client.js';
import { channelIdentities, inviteAttempts, invites, staff, type ChannelName, type Role } from './schema.js';

/** Unambiguous characters only (no 0/O, 1/I/L): codes are read aloud and typed on phones. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
export const MAX_ATTEMPTS_PER_HOUR = 10;
/**
 * Failed guesses per hour from everyone together. Many accounts (or addresses) guessing 10 times each would
 * otherwise add up without bound; past this, every redemption waits — a legitimate new user is told to try later,
 * which is the price of keeping 31^8 codes out of reach. Audited, so an administrator sees the attack.
 */
export const MAX_FAILURES_PER_HOUR_GLOBAL = 200;

export function hashInviteCode(code: string): string {
  return createHash('sha256').update(normalizeInviteCode(code)).digest('hex');
}

export function normalizeInviteCode(code: string): string {
  return code
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]/g, '');
}

export function looksLikeInviteCode(text: string): boolean {
  const code = normalizeInviteCode(text);
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c));
}

export interface NewInvite {
  role: Role;
  areaCode: string;
  name?: string;
  staffId?: number;
  createdBy?: number;
  now: Date;
  validDays?: number;
}

/** Revokes the person's codes that are still usable; returns how many. */
export async function revokeInvites(conn: Conn, staffId: number, now: Date): Promise<number> {
  const revoked = await conn
    .update(invites)
    .set({ revokedAt: now })
    .where(and(eq(invites.staffId, staffId), isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
    .returning({ id: invites.id });
  return revoked.length;
}

/**
 * Creates an invite and returns the plain code (shown once; only its hash is stored). A new code for a known person
 * revokes their earlier unused ones: only the latest sheet or message works.
 */
export async function createInvite(conn: Conn, input: NewInvite): Promise<{ code: string; expiresAt: Date; revoked: number }> {
  const revoked = input.staffId === undefined ? 0 : await revokeInvites(conn, input.staffId, input.now);
  const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const expiresAt = new Date(input.now.getTime() + (input.validDays ?? 7) * 86_400_000);
  await conn.insert(invites).values({
    codeHash: hashInviteCode(code),
    role: input.role,
    areaCode: input.areaCode,
    name: input.name ?? null,
    staffId: input.staffId ?? null,
    createdBy: input.createdBy ?? null,
    expiresAt,
  });
  return { code, expiresAt, revoked };
}

export type RedeemResult =
  | { ok: true; staffId: number; name: string }
  | { ok: false; reason: 'throttled' | 'invalid' | 'expired' | 'used' };

export interface Redemption {
  channel: ChannelName;
  externalId: string;
  chatId: string;
  /** Whose guesses count together (default the account): the local chat passes the client's address. */
  throttleKey?: string;
  code: string;
  displayName?: string;
  locale?: string;
  now: Date;
}

/** Binds a channel account to a staff record (new or existing) if the code is good. Run inside a transaction. */
export async function redeemInvite(conn: Conn, r: Redemption): Promise<RedeemResult> {
  const hourAgo = new Date(r.now.getTime() - 3_600_000);
  const guesser = r.throttleKey ?? r.externalId;
  const [recent] = await conn
    .select({ n: count() })
    .from(inviteAttempts)
    .where(and(eq(inviteAttempts.channel, r.channel), eq(inviteAttempts.externalId, guesser), gte(inviteAttempts.at, hourAgo)));
  if ((recent?.n ?? 0) >= MAX_ATTEMPTS_PER_HOUR) {
    await audit(conn, { actorStaffId: null, channel: r.channel, action: 'invite.throttled', detail: { externalId: guesser }, at: r.now });
    return { ok: false, reason: 'throttled' };
  }
  const [failures] = await conn
    .select({ n: count() })
    .from(inviteAttempts)
    .where(and(gte(inviteAttempts.at, hourAgo), eq(inviteAttempts.success, false)));
  if ((failures?.n ?? 0) >= MAX_FAILURES_PER_HOUR_GLOBAL) {
    await audit(conn, { actorStaffId: null, channel: r.channel, action: 'invite.throttled', detail: { externalId: guesser, global: true }, at: r.now });
    return { ok: false, reason: 'throttled' };
  }
  const [invite] = await conn.select().from(invites).where(eq(invites.codeHash, hashInviteCode(r.code))).for('update');
  // A revoked code answers like an unknown one: whoever holds the old sheet learns nothing from it.
  const failure = !invite || invite.revokedAt ? 'invalid' : invite.usedAt ? 'used' : invite.expiresAt <= r.now ? 'expired' : undefined;
  await conn.insert(inviteAttempts).values({ channel: r.channel, externalId: guesser, at: r.now, success: !failure });
  if (failure || !invite) {
    await audit(conn, { actorStaffId: null, channel: r.channel, action: 'invite.failed', detail: { externalId: r.externalId, reason: invite?.revokedAt ? 'revoked' : failure }, at: r.now });
    return { ok: false, reason: failure ?? 'invalid' };
  }
  let staffId = invite.staffId;
  let name = invite.name ?? r.displayName ?? '';
  if (staffId === null) {
    const [created] = await conn
      .insert(staff)
      .values({ name: name || '—', role: invite.role, areaCode: invite.areaCode, locale: r.locale ?? null })
      .returning({ id: staff.id });
    staffId = created!.id;
  } else {
    const [existing] = await conn.select({ name: staff.name }).from(staff).where(eq(staff.id, staffId));
    name = existing?.name ?? name;
  }
  await conn
    .update(invites)
    .set({ usedAt: r.now, usedByStaffId: staffId })
    .where(and(eq(invites.id, invite.id), isNull(invites.usedAt)));
  await conn
    .insert(channelIdentities)
    .values({ channel: r.channel, externalId: r.externalId, chatId: r.chatId, staffId, locale: r.locale ?? null })
    .onConflictDoUpdate({
      target: [channelIdentities.channel, channelIdentities.externalId],
      set: { staffId, chatId: r.chatId },
    });
  await audit(conn, { actorStaffId: staffId, channel: r.channel, action: 'invite.redeem', detail: { inviteId: invite.id }, at: r.now });
  return { ok: true, staffId, name };
}
