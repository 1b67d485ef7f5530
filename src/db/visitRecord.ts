// Storing a visit: ONE statement takes the next ZF reference, inserts the visit, moves the child's risk level, last
// visit and next due date on, and writes the audit row. Built once from the schema (a renamed column still fails to
// compile) and sent as text plus parameters. It is the visit form's closing write (src/db/closing.ts): in an update
// computed from known state, folded with the guard and the draft's last write into one statement, sent with `begin`
// and `commit` in one round trip, so the counter's row lock is held for that round trip only (otherwise from this
// statement to the update's commit).
import { sql, type SQL } from 'drizzle-orm';
import type { Conn } from './client.js';
import { refOf } from './refs.js';
import { auditLog, children, visits } from './schema.js';
import { closing, closingSlot, closingValues, type SendClosing } from './closing.js';
import { bare, sendPrebuilt } from './statement.js';
import { yearOf } from '../domain/dates.js';

/** The visit as stored, in the schema's own types, and what storing it needs besides. */
export type VisitRecord = Required<
  Pick<
    typeof visits.$inferInsert,
    | 'childId'
    | 'staffId'
    | 'visitedOn'
    | 'kind'
    | 'childSeen'
    | 'sameAsLast'
    | 'dimensions'
    | 'guardianshipAgreement'
    | 'needs'
    | 'helpGiven'
    | 'riskBefore'
    | 'riskAfter'
    | 'nextVisitOn'
    | 'location'
    | 'photos'
    | 'channel'
  >
> & {
  /**
   * A back-dated visit is history: the child's risk, last visit and next due stay those of the later visit (the
   * child row is still written, so its stamp tells every instance that holds it that a visit was added). So is one
   * dated before a visit someone else logged while this one was being recorded.
   */
  backDated: boolean;
  at: Date;
};

const v = visits;
/** Its values are a closing statement's (src/db/closing.ts): it can be folded in behind an update's guard. */
const slot = closingSlot;

const storeVisit = closing('visit', () => {
  const fresh = sql.identifier('stored');
  // History: a visit dated before the child's last one (back-dated when the form began, or overtaken meanwhile by a
  // later visit another person logged) leaves the level and dates the later visit set.
  const history = sql`(${slot('backDated')}::boolean or ${children.lastVisitOn} > ${slot('visitedOn')}::date)`;
  const moved = (column: typeof children.riskLevel | typeof children.lastVisitOn | typeof children.nextVisitDue, value: SQL) =>
    sql`${bare(column)} = case when ${history} then ${column} else ${value} end`;
  return {
    with: sql`${refOf('ZF', sql`${slot('year')}`)}, stored as (
      insert into ${v} (${bare(v.ref)}, ${bare(v.childId)}, ${bare(v.staffId)}, ${bare(v.visitedOn)}, ${bare(v.kind)}, ${bare(v.childSeen)},
        ${bare(v.sameAsLast)}, ${bare(v.dimensions)}, ${bare(v.guardianshipAgreement)}, ${bare(v.needs)}, ${bare(v.helpGiven)},
        ${bare(v.riskBefore)}, ${bare(v.riskAfter)}, ${bare(v.nextVisitOn)}, ${bare(v.location)}, ${bare(v.photos)}, ${bare(v.channel)})
      select ref, ${slot('childId')}::int, ${slot('staffId')}::int, ${slot('visitedOn')}::date, ${slot('kind')}, ${slot('childSeen')}::boolean,
        ${slot('sameAsLast')}::boolean, ${slot('dimensions')}::jsonb, ${slot('agreement')}::boolean, ${slot('needs')}, ${slot('helpGiven')},
        ${slot('riskBefore')}, ${slot('riskAfter')}, ${slot('nextVisitOn')}::date, ${slot('location')}::jsonb, ${slot('photos')}::jsonb, ${slot('channel')}
      from taken_ref
      returning ${bare(v.id)} as id, ${bare(v.ref)} as ref
    ), child as (
      update ${children} set ${moved(children.riskLevel, sql`${slot('riskAfter')}`)}, ${moved(children.lastVisitOn, sql`${slot('visitedOn')}::date`)},
        ${moved(children.nextVisitDue, sql`${slot('nextVisitOn')}::date`)}, ${bare(children.updatedAt)} = ${slot('at')}::timestamptz
      where ${children.id} = ${slot('childId')}::int
    ), logged as (
      insert into ${auditLog} (${bare(auditLog.actorStaffId)}, ${bare(auditLog.channel)}, ${bare(auditLog.action)}, ${bare(auditLog.childId)}, ${bare(auditLog.detail)})
      select ${slot('staffId')}::int, ${slot('channel')}, 'visit.create', ${slot('childId')}::int, jsonb_build_object('visitId', ${fresh}.id, 'ref', ${fresh}.ref)
      from ${fresh}
    )`,
    select: sql`select id, ref from ${fresh}`,
  };
});

/**
 * Stores the visit; its id and reference. It is the action's closing write: with `close`, folded behind the update's
 * guard and draft write into one statement where the update allows.
 */
export async function storeVisitRecord(on: { tx: Conn; close?: SendClosing | undefined }, record: VisitRecord): Promise<{ id: number; ref: string }> {
  const values = closingValues({
    year: yearOf(record.visitedOn),
    childId: record.childId,
    staffId: record.staffId,
    visitedOn: record.visitedOn,
    kind: record.kind,
    childSeen: record.childSeen,
    sameAsLast: record.sameAsLast,
    dimensions: JSON.stringify(record.dimensions),
    agreement: record.guardianshipAgreement,
    needs: record.needs,
    helpGiven: record.helpGiven,
    riskBefore: record.riskBefore,
    riskAfter: record.riskAfter,
    nextVisitOn: record.nextVisitOn,
    location: record.location === null ? null : JSON.stringify(record.location),
    photos: JSON.stringify(record.photos),
    channel: record.channel,
    backDated: record.backDated,
    at: record.at.toISOString(),
  });
  const [row] = on.close ? await on.close({ statement: storeVisit, values }) : await sendPrebuilt(on.tx, storeVisit.alone(values));
  return { id: Number(row!.id), ref: String(row!.ref) };
}
