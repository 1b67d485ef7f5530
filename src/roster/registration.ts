// A child registered in the field: the approval card to the area's supervisors (with possible duplicates), and the
// supervisor's decision — re-checked here on every press: role, scope, and that the registration is still pending.
import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import { bold, message, rich, type OutMessage } from '../bot/message.js';
import type { Actor } from '../db/actor.js';
import { audit } from '../db/audit.js';
import { childForActor, childScope } from '../db/children.js';
import type { Conn } from '../db/client.js';
import { enqueue } from '../db/outbox.js';
import { reachableIdentities, supervisorsFor, type Recipient } from '../db/recipients.js';
import { areas, assignments, children, staff } from '../db/schema.js';
import { formatDay } from '../domain/dates.js';
import { maskPhone } from '../domain/mask.js';
import { categoryNames, nameOf, riskNames, sexNames } from '../i18n/domain.js';
import { peopleText, type PeopleKey } from '../i18n/sections/people.js';
import { resolveLocale, type Locale } from '../i18n/translator.js';

export type ChildRow = typeof children.$inferSelect;

/** Children with the same name and birth date in the same township (or the village itself, at the top). */
export async function possibleDuplicates(conn: Conn, child: ChildRow): Promise<{ id: number; name: string; village: string; status: string }[]> {
  if (!child.birthDate) return [];
  const [village] = await conn.select({ parentCode: areas.parentCode }).from(areas).where(eq(areas.code, child.areaCode));
  const scopeCode = village?.parentCode ?? child.areaCode;
  const [scopeArea] = await conn.select({ path: areas.path }).from(areas).where(eq(areas.code, scopeCode));
  const rows = await conn
    .select({ id: children.id, name: children.name, village: areas.name, status: children.status, path: areas.path })
    .from(children)
    .innerJoin(areas, eq(areas.code, children.areaCode))
    .where(and(eq(children.name, child.name), eq(children.birthDate, child.birthDate), ne(children.id, child.id), ne(children.status, 'rejected')))
    .orderBy(asc(children.id));
  return rows.filter((r) => !scopeArea || r.path.startsWith(scopeArea.path)).map(({ path: _path, ...r }) => r);
}

export async function approvalCard(conn: Conn, child: ChildRow, locale: Locale): Promise<OutMessage> {
  const t = (key: PeopleKey, params?: Record<string, string | number>) => peopleText(locale, key, params);
  const [village] = await conn.select({ name: areas.name }).from(areas).where(eq(areas.code, child.areaCode));
  const [registrar] = child.registeredBy ? await conn.select({ name: staff.name }).from(staff).where(eq(staff.id, child.registeredBy)) : [];
  const duplicates = await possibleDuplicates(conn, child);
  const text = rich(
    bold(t('approval.title')), '\n',
    t('register.summaryChild', {
      name: child.name,
      sex: child.sex ? nameOf(sexNames, locale, child.sex) : '—',
      birth: child.birthDate ? formatDay(child.birthDate, locale, { withYear: true }) : '—',
      village: village?.name ?? child.areaCode,
    }), '\n',
    t('register.summaryCategories', { categories: child.categories.map((c) => nameOf(categoryNames, locale, c)).join('、') }), '\n',
    t('register.summaryGuardian', { guardian: child.guardianName ?? '—', relation: child.guardianRelation ?? '—', phone: maskPhone(child.guardianPhone) }).trimEnd(), '\n',
    t('register.summaryRisk', { risk: nameOf(riskNames, locale, child.riskLevel) }), '\n',
    t('approval.by', { name: registrar?.name ?? '—' }), '\n',
    duplicates.length === 0
      ? t('approval.noDuplicates')
      : [t('approval.duplicates'), ...duplicates.map((d) => t('approval.duplicateLine', { name: d.name, id: d.id, village: d.village, status: t(`status.${d.status}` as PeopleKey) }))].join('\n'),
  );
  return message(text, [[{ label: t('approval.approve'), data: `a.ok.${child.id}` }, { label: t('approval.reject'), data: `a.no.${child.id}` }]]);
}

/** Sends the approval card to the supervisors of the child's area (admins when there are none). */
export async function requestApproval(conn: Conn, child: ChildRow, now: Date, defaultLocale: Locale): Promise<Recipient[]> {
  const approvers = await supervisorsFor(conn, child.areaCode, 0);
  const identities = await reachableIdentities(conn, approvers.map((a) => a.staffId));
  const cards = new Map<Locale, OutMessage>();
  const rows = [];
  for (const identity of identities) {
    const locale = resolveLocale(identity.locale, defaultLocale);
    if (!cards.has(locale)) cards.set(locale, await approvalCard(conn, child, locale));
    rows.push({
      kind: 'registration.approval',
      staffId: identity.staffId,
      channel: identity.channel,
      chatId: identity.chatId,
      message: cards.get(locale)!,
      dedupeKey: `registration:${child.id}:${identity.channel}:${identity.chatId}`,
      notBefore: now,
    });
  }
  await enqueue(conn, rows);
  return approvers;
}

export type Decision = 'approve' | 'reject';

export type DecisionResult =
  | { ok: true; child: ChildRow; caseworker: string }
  | { ok: false; reason: 'not-allowed' | 'unknown' }
  | { ok: false; reason: 'already'; child: ChildRow };

/** The supervisor's (or admin's) decision. Caseworkers, people outside the area and repeated presses are refused. */
export async function decideRegistration(
  conn: Conn,
  actor: Actor,
  childId: number,
  decision: Decision,
  context: { now: Date; today: string; channel: string; defaultLocale: Locale },
): Promise<DecisionResult> {
  if (actor.role === 'caseworker') {
    await audit(conn, { actorStaffId: actor.staffId, channel: context.channel, action: 'child.approve.denied', childId, detail: { decision } });
    return { ok: false, reason: 'not-allowed' };
  }
  const child = await childForActor(conn, actor, childId, context.channel);
  if (!child) return { ok: false, reason: 'unknown' };
  // Lock the row: two supervisors pressing at once must not both decide.
  const [locked] = await conn.select().from(children).where(and(eq(children.id, child.id), childScope(actor))).for('update');
  if (!locked) return { ok: false, reason: 'unknown' };
  if (locked.status !== 'pending') return { ok: false, reason: 'already', child: locked };
  const [registrar] = locked.registeredBy
    ? await conn.select({ id: staff.id, name: staff.name }).from(staff).where(eq(staff.id, locked.registeredBy))
    : [];
  const updated = { ...locked, status: decision === 'approve' ? ('active' as const) : ('rejected' as const), updatedAt: context.now };
  if (decision === 'approve') {
    updated.nextVisitDue = context.today;
    await conn.update(children).set({ status: 'active', nextVisitDue: context.today, updatedAt: context.now }).where(eq(children.id, locked.id));
    if (registrar) {
      await conn.update(assignments).set({ endedAt: context.now }).where(and(eq(assignments.childId, locked.id), isNull(assignments.endedAt)));
      await conn.insert(assignments).values({ childId: locked.id, staffId: registrar.id, startedAt: context.now });
    }
  } else {
    await conn.update(children).set({ status: 'rejected', updatedAt: context.now }).where(eq(children.id, locked.id));
  }
  await audit(conn, { actorStaffId: actor.staffId, channel: context.channel, action: decision === 'approve' ? 'child.approve' : 'child.reject', childId: locked.id, at: context.now });
  if (registrar) await tellRegistrar(conn, updated, registrar.id, actor, decision, context);
  return { ok: true, child: updated, caseworker: registrar?.name ?? '—' };
}

async function tellRegistrar(conn: Conn, child: ChildRow, registrarId: number, actor: Actor, decision: Decision, context: { now: Date; defaultLocale: Locale }) {
  const identities = await reachableIdentities(conn, [registrarId]);
  await enqueue(
    conn,
    identities.map((identity) => {
      const locale = resolveLocale(identity.locale, context.defaultLocale);
      const key = decision === 'approve' ? 'approval.tellApproved' : 'approval.tellRejected';
      return {
        kind: `registration.${decision === 'approve' ? 'approved' : 'rejected'}`,
        staffId: registrarId,
        channel: identity.channel,
        chatId: identity.chatId,
        message: message(peopleText(locale, key, { name: child.name, supervisor: actor.name })),
        dedupeKey: `registration-decision:${child.id}:${identity.channel}:${identity.chatId}`,
        notBefore: context.now,
      };
    }),
  );
}

/** Pending registrations the actor may decide on, oldest first. */
export async function pendingRegistrations(conn: Conn, actor: Actor) {
  if (actor.role === 'caseworker') return [];
  return conn
    .select({ id: children.id, name: children.name, village: areas.name, registrar: staff.name })
    .from(children)
    .innerJoin(areas, eq(areas.code, children.areaCode))
    .leftJoin(staff, eq(staff.id, children.registeredBy))
    .where(and(eq(children.status, 'pending'), childScope(actor)))
    .orderBy(asc(children.createdAt), asc(children.id))
    .limit(20);
}
