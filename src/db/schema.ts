// The whole data model in one place. Conventions: integer identity ids, timestamps with time zone,
// calendar dates as `date` strings (YYYY-MM-DD) in the deployment's time zone.
import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  bigint,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** Administrative areas: province > city > county > township > village, keyed by division code. */
export const areas = pgTable(
  'areas',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    level: text('level').$type<AreaLevel>().notNull(),
    parentCode: text('parent_code'),
    /** Materialised path of codes, e.g. `/44/4401/440103/`, so a subtree is one prefix match. */
    path: text('path').notNull(),
  },
  (t) => [index('areas_path_idx').on(sql`${t.path} text_pattern_ops`), index('areas_parent_idx').on(t.parentCode)],
);

export type AreaLevel = 'province' | 'city' | 'county' | 'township' | 'village';
export type Role = 'caseworker' | 'supervisor' | 'admin';
export type RiskLevel = 'red' | 'orange' | 'yellow' | 'green';
export type ChannelName = 'telegram' | 'feishu' | 'local';

export const staff = pgTable(
  'staff',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    role: text('role').$type<Role>().notNull(),
    areaCode: text('area_code').notNull().references(() => areas.code),
    phone: text('phone'),
    locale: text('locale'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
  },
  (t) => [index('staff_area_idx').on(t.areaCode)],
);

/** A messenger account bound to a staff member (by an invite code). */
export const channelIdentities = pgTable(
  'channel_identities',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    channel: text('channel').$type<ChannelName>().notNull(),
    externalId: text('external_id').notNull(),
    /** Where proactive messages go (private chat id / open_id). */
    chatId: text('chat_id').notNull(),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    locale: text('locale'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('channel_identities_external_uq').on(t.channel, t.externalId), index('channel_identities_staff_idx').on(t.staffId)],
);

export const invites = pgTable('invites', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  codeHash: text('code_hash').notNull().unique(),
  role: text('role').$type<Role>().notNull(),
  areaCode: text('area_code').notNull().references(() => areas.code),
  name: text('name'),
  /** When set, the invite binds an existing staff record instead of creating one. */
  staffId: integer('staff_id').references(() => staff.id),
  createdBy: integer('created_by').references(() => staff.id),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  usedByStaffId: integer('used_by_staff_id').references(() => staff.id),
  /** Set when the administrator revokes the code or issues the same person a new one. */
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** Each invite-code attempt by an unbound account, for throttling guesses. */
export const inviteAttempts = pgTable(
  'invite_attempts',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    channel: text('channel').notNull(),
    externalId: text('external_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    success: boolean('success').notNull(),
  },
  // By guesser (the per-guesser throttle) and by time alone (the global one).
  (t) => [index('invite_attempts_who_idx').on(t.channel, t.externalId, t.at), index('invite_attempts_at_idx').on(t.at)],
);

/**
 * A signed-in browser of the local chat. The cookie holds a random token; only its SHA-256 is stored, so a copy
 * of the database opens no session. `externalId` is the local channel identity the session speaks as.
 */
export const localSessions = pgTable(
  'local_sessions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: text('token_hash').notNull().unique(),
    externalId: text('external_id').notNull(),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    /** Opened by picking a demo identity: valid only while the database holds nothing but the demo county. */
    demo: boolean('demo').notNull().default(false),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('local_sessions_expiry_idx').on(t.expiresAt)],
);

export const children = pgTable(
  'children',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    sex: text('sex').$type<'male' | 'female'>(),
    birthDate: date('birth_date'),
    /** Full ID number (GB 11643); shown masked everywhere but the admin's full export. */
    idNumber: text('id_number'),
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    riskLevel: text('risk_level').$type<RiskLevel>().notNull().default('green'),
    /** The village (or community) the child lives in. */
    areaCode: text('area_code').notNull().references(() => areas.code),
    address: text('address'),
    guardianName: text('guardian_name'),
    guardianRelation: text('guardian_relation'),
    guardianPhone: text('guardian_phone'),
    /** active: on the roster; pending: registered by a caseworker, awaiting approval; rejected; closed. */
    status: text('status').$type<'active' | 'pending' | 'rejected' | 'closed'>().notNull().default('active'),
    registeredBy: integer('registered_by').references(() => staff.id),
    lastVisitOn: date('last_visit_on'),
    nextVisitDue: date('next_visit_due'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('children_area_idx').on(t.areaCode),
    index('children_due_idx').on(t.nextVisitDue),
    // A caseworker's list of children: those they registered, found without reading every child.
    index('children_registered_by_idx').on(t.registeredBy).where(sql`${t.registeredBy} is not null`),
    uniqueIndex('children_id_number_uq').on(t.idNumber),
  ],
);

/** Caseload assignments; the current one has no `endedAt`. */
export const assignments = pgTable(
  'assignments',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    childId: integer('child_id').notNull().references(() => children.id),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('assignments_current_uq').on(t.childId).where(sql`${t.endedAt} is null`),
    index('assignments_caseload_idx').on(t.staffId, t.childId).where(sql`${t.endedAt} is null`),
  ],
);

export type DimensionLevel = 'fine' | 'concern' | 'serious';
export type Dimensions = Record<string, { level: DimensionLevel; note?: string }>;

export const visits = pgTable(
  'visits',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ref: text('ref').notNull().unique(),
    childId: integer('child_id').notNull().references(() => children.id),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    visitedOn: date('visited_on').notNull(),
    kind: text('kind').$type<'home' | 'school' | 'phone' | 'video'>().notNull(),
    childSeen: boolean('child_seen').notNull(),
    sameAsLast: boolean('same_as_last').notNull().default(false),
    dimensions: jsonb('dimensions').$type<Dimensions>().notNull(),
    guardianshipAgreement: boolean('guardianship_agreement'),
    needs: text('needs'),
    helpGiven: text('help_given'),
    riskBefore: text('risk_before').$type<RiskLevel>().notNull(),
    riskAfter: text('risk_after').$type<RiskLevel>().notNull(),
    nextVisitOn: date('next_visit_on').notNull(),
    location: jsonb('location').$type<{ latitude: number; longitude: number } | null>(),
    photos: jsonb('photos').$type<{ fileId: string; caption?: string }[]>().notNull().default(sql`'[]'::jsonb`),
    channel: text('channel').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('visits_child_idx').on(t.childId, t.visitedOn),
    index('visits_staff_idx').on(t.staffId, t.createdAt),
    // The daily digest reads the visits logged yesterday.
    index('visits_created_idx').on(t.createdAt),
  ],
);

/** draft: opened the moment immediate danger was known, its form not finished yet (报告填写中) — alerted and handled
 * like an open report, and left so if the form is abandoned. */
export type ReportStatus = 'draft' | 'open' | 'acknowledged' | 'closed';

export const reports = pgTable(
  'reports',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ref: text('ref').notNull().unique(),
    childId: integer('child_id').references(() => children.id),
    childDescription: text('child_description'),
    /** The area whose supervisors handle the report (the child's village, else the reporter's area). */
    areaCode: text('area_code').notNull().references(() => areas.code),
    situations: text('situations').array().notNull(),
    observed: text('observed').notNull(),
    /** As typed-and-read, in the deployment's default language (kept for exports); the moment is `occurredAt`. */
    occurredWhen: text('occurred_when').notNull(),
    /** When it happened or was found, in the deployment's zone; how precisely is `occurredPrecision`. */
    occurredAt: timestamp('occurred_at', { withTimezone: true }),
    occurredPrecision: text('occurred_precision').$type<OccurredPrecision>(),
    occurredWhere: text('occurred_where').notNull(),
    immediateDanger: boolean('immediate_danger').notNull(),
    policeTold: boolean('police_told').notNull(),
    policeReceipt: text('police_receipt'),
    reporterStaffId: integer('reporter_staff_id').notNull().references(() => staff.id),
    status: text('status').$type<ReportStatus>().notNull().default('open'),
    /** 0: the area's supervisors; each escalation moves one level up the area tree. */
    escalationLevel: integer('escalation_level').notNull().default(0),
    lastEscalatedAt: timestamp('last_escalated_at', { withTimezone: true }),
    acknowledgedBy: integer('acknowledged_by').references(() => staff.id),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    channel: text('channel').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('reports_area_idx').on(t.areaCode, t.status), index('reports_child_idx').on(t.childId)],
);

/** How precisely a report's moment is known: the day, a part of it (上午/下午/晚上), or the minute. */
export type OccurredPrecision = 'day' | 'morning' | 'afternoon' | 'evening' | 'minute';

/** A child's risk level over time, with why: a report filed (report_id), a visit (visit_id), a supervisor. */
export const riskChanges = pgTable(
  'risk_changes',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    childId: integer('child_id').notNull().references(() => children.id),
    from: text('from').$type<RiskLevel>().notNull(),
    to: text('to').$type<RiskLevel>().notNull(),
    reason: text('reason').notNull(),
    reportId: integer('report_id').references(() => reports.id),
    visitId: integer('visit_id').references(() => visits.id),
    staffId: integer('staff_id').references(() => staff.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('risk_changes_child_idx').on(t.childId, t.at)],
);

/** A report's status history: filed, alerted, acknowledged, escalated, closed. */
export const reportEvents = pgTable(
  'report_events',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    reportId: integer('report_id').notNull().references(() => reports.id),
    kind: text('kind').notNull(),
    staffId: integer('staff_id').references(() => staff.id),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('report_events_report_idx').on(t.reportId)],
);

/** A conversation in progress: one row, updated with optimistic concurrency on `version`. */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    channel: text('channel').$type<ChannelName>().notNull(),
    chatId: text('chat_id').notNull(),
    flow: text('flow').notNull(),
    step: text('step').notNull(),
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull(),
    /** Steps answered, in order, so `back` can retrace them. */
    trail: jsonb('trail').$type<string[]>().notNull(),
    status: text('status').$type<'active' | 'done' | 'cancelled' | 'expired'>().notNull().default('active'),
    version: integer('version').notNull().default(1),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // The one index a draft's update touches is this one, on columns an update leaves alone (no index on
    // updated_at): each step's update can stay on its page (a HOT update). The expiry sweep walks this partial index.
    uniqueIndex('conversations_active_uq').on(t.staffId).where(sql`${t.status} = 'active'`),
  ],
);

/** Inbound update/event ids already applied; written in the same transaction as their effects. */
export const processedInbound = pgTable(
  'processed_inbound',
  {
    key: text('key').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('processed_inbound_at_idx').on(t.at)],
);

export type OutboxStatus = 'pending' | 'sent' | 'dead' | 'cancelled';

/** Proactive messages (alerts, reminders, digests, approvals), written with the change that causes them. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Makes double-sending impossible, e.g. `reminder:<staff>:<date>`. */
    dedupeKey: text('dedupe_key').unique(),
    kind: text('kind').notNull(),
    staffId: integer('staff_id').references(() => staff.id),
    channel: text('channel').$type<ChannelName>().notNull(),
    chatId: text('chat_id').notNull(),
    /** The channel-neutral message (see src/bot/message.ts). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** Mandatory-report alerts go out even in quiet hours. */
    urgent: boolean('urgent').notNull().default(false),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull().defaultNow(),
    /** Dropped rather than sent late after this moment (reminders). */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The platform's id of the message delivered (Telegram message_id, Feishu om_…), so it can be edited later. */
    messageId: text('message_id'),
    /**
     * This row edits the message another row delivered (the preliminary alert, replaced by the full report) where
     * the channel can; where it cannot, it is sent as a follow-up naming the same reference.
     */
    replacesId: bigint('replaces_id', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [index('outbox_due_idx').on(t.status, t.notBefore)],
);

/** Append-only: who did what to which child or report, through which channel. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorStaffId: integer('actor_staff_id'),
    channel: text('channel'),
    action: text('action').notNull(),
    childId: integer('child_id'),
    reportId: integer('report_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_child_idx').on(t.childId, t.at), index('audit_actor_idx').on(t.actorStaffId, t.at)],
);

/** Days between visits for a (category, risk level); category `*` is the default row. */
export const visitPolicy = pgTable(
  'visit_policy',
  {
    category: text('category').notNull(),
    riskLevel: text('risk_level').$type<RiskLevel>().notNull(),
    intervalDays: integer('interval_days').notNull(),
  },
  (t) => [primaryKey({ columns: [t.category, t.riskLevel] })],
);

/** Counters behind human-readable references such as BG-2026-000123. */
export const refCounters = pgTable(
  'ref_counters',
  {
    prefix: text('prefix').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.year] })],
);

/** One row per scheduled job run (job + period key): the first instance to insert it does the work. */
export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    runKey: text('run_key').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.job, t.runKey] })],
);

/** A caseworker's "remind me later" for one child. */
export const snoozes = pgTable(
  'snoozes',
  {
    staffId: integer('staff_id').notNull().references(() => staff.id),
    childId: integer('child_id').notNull().references(() => children.id),
    until: date('until').notNull(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.childId] })],
);

/** At most one reminder per child per day. */
export const reminderLog = pgTable(
  'reminder_log',
  {
    // No foreign keys: the rows are written only from a join of children and their current assignments in the same
    // statement, and pruned after a month; checking 200,000 references each morning was half the queueing time.
    childId: integer('child_id').notNull(),
    day: date('day').notNull(),
    staffId: integer('staff_id').notNull(),
    outboxId: bigint('outbox_id', { mode: 'number' }),
  },
  // The send-time re-check reads one caseworker's reminder of one day.
  (t) => [primaryKey({ columns: [t.childId, t.day] }), index('reminder_log_staff_day_idx').on(t.staffId, t.day)],
);

/** Overdue visits escalated to a supervisor level, once per level per due date. */
export const visitEscalations = pgTable(
  'visit_escalations',
  {
    childId: integer('child_id').notNull().references(() => children.id),
    dueOn: date('due_on').notNull(),
    level: integer('level').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.childId, t.dueOn, t.level] })],
);
