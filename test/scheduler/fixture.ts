// A small county for the scheduler's suites, seeded directly: two townships, three villages, supervisors at
// township and county level, an admin, three caseworkers (one on two messengers), and helpers to add children,
// visits, reports and conversations at chosen dates. Plus a fake ChannelRuntime that records deliveries.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { ChannelRuntime, DeliveryResult } from '../../src/bot/channel.js';
import type { OutMessage } from '../../src/bot/message.js';
import { richToPlain } from '../../src/bot/message.js';
import { loadConfig, type Config } from '../../src/config.js';
import { actorForStaff, type Actor } from '../../src/db/actor.js';
import type { Db } from '../../src/db/client.js';
import {
  areas,
  assignments,
  channelIdentities,
  children,
  conversations,
  outbox,
  reports,
  staff,
  visits,
  type ChannelName,
  type RiskLevel,
  type Role,
} from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';

export const TZ = 'Asia/Shanghai';
/** Monday 2026-11-23, 09:00 in Shanghai: the default reminder minute. */
export const MONDAY_9 = new Date('2026-11-23T01:00:00Z');
export const TODAY = '2026-11-23';
export const logger = createLogger('silent');

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ TZ_NAME: TZ, ...env });
}

export class Clock {
  constructor(private current: Date = MONDAY_9) {}
  now = (): Date => new Date(this.current);
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const areaRows = [
  { code: '44', name: '广东省', level: 'province', parentCode: null, path: '/44/' },
  { code: '4401', name: '广州市', level: 'city', parentCode: '44', path: '/44/4401/' },
  { code: '440103', name: '荔湾区', level: 'county', parentCode: '4401', path: '/44/4401/440103/' },
  { code: '440103001', name: '东风镇', level: 'township', parentCode: '440103', path: '/44/4401/440103/440103001/' },
  { code: '440103002', name: '西岭镇', level: 'township', parentCode: '440103', path: '/44/4401/440103/440103002/' },
  { code: '440103001001', name: '红旗村', level: 'village', parentCode: '440103001', path: '/44/4401/440103/440103001/440103001001/' },
  { code: '440103001002', name: '向阳村', level: 'village', parentCode: '440103001', path: '/44/4401/440103/440103001/440103001002/' },
  { code: '440103002001', name: '青山村', level: 'village', parentCode: '440103002', path: '/44/4401/440103/440103002/440103002001/' },
] as const;

export const V1 = '440103001001';
export const V2 = '440103001002';
export const V3 = '440103002001';

export interface World {
  db: Db;
  ids: Record<'admin' | 'county' | 'east' | 'west' | 'li' | 'wang' | 'sun', number>;
  actor(id: number): Promise<Actor>;
  addChild(o: { name: string; area: string; due: string | null; caseworker?: number; risk?: RiskLevel }): Promise<number>;
  addVisit(o: { child: number; staff: number; on: string; at: Date; from?: RiskLevel; to?: RiskLevel; next?: string }): Promise<void>;
  addReport(o: { area: string; reporter: number; at: Date; child?: number }): Promise<number>;
  startConversation(staffId: number, at: Date): Promise<void>;
  reassign(child: number, to: number, at: Date): Promise<void>;
  deactivate(staffId: number, at: Date): Promise<void>;
}

export async function seedWorld(db: Db, createdAt = new Date('2026-01-01T00:00:00Z')): Promise<World> {
  await db.insert(areas).values(areaRows.map((a) => ({ ...a })));
  const person = async (name: string, role: Role, areaCode: string, accounts: [ChannelName, string][], locale?: string) => {
    const [row] = await db.insert(staff).values({ name, role, areaCode, createdAt, locale: locale ?? null }).returning({ id: staff.id });
    for (const [channel, chatId] of accounts) {
      await db.insert(channelIdentities).values({ channel, externalId: chatId, chatId, staffId: row!.id });
    }
    return row!.id;
  };
  const ids = {
    admin: await person('周管理员', 'admin', '440103', [['local', 'admin']]),
    county: await person('孙科长', 'supervisor', '440103', [['local', 'county']]),
    east: await person('赵督导员', 'supervisor', '440103001', [['local', 'east']]),
    west: await person('Wendy West', 'supervisor', '440103002', [['local', 'west']], 'en'),
    li: await person('李主任', 'caseworker', V1, [['local', 'li'], ['telegram', '1001']]),
    wang: await person('王主任', 'caseworker', V2, [['local', 'wang']]),
    sun: await person('孙主任', 'caseworker', V3, [['local', 'sun']]),
  };
  let refNo = 0;
  return {
    db,
    ids,
    async actor(id) {
      const a = await actorForStaff(db, id);
      if (!a) throw new Error(`no active staff ${id}`);
      return a;
    },
    async addChild(o) {
      const [row] = await db
        .insert(children)
        .values({ name: o.name, areaCode: o.area, nextVisitDue: o.due, riskLevel: o.risk ?? 'yellow' })
        .returning({ id: children.id });
      if (o.caseworker !== undefined) {
        await db.insert(assignments).values({ childId: row!.id, staffId: o.caseworker, startedAt: createdAt });
      }
      return row!.id;
    },
    async addVisit(o) {
      refNo++;
      await db.insert(visits).values({
        ref: `ZF-2026-${String(refNo).padStart(6, '0')}`,
        childId: o.child,
        staffId: o.staff,
        visitedOn: o.on,
        kind: 'home',
        childSeen: true,
        dimensions: {},
        riskBefore: o.from ?? 'yellow',
        riskAfter: o.to ?? 'yellow',
        nextVisitOn: o.next ?? '2026-12-31',
        channel: 'local',
        createdAt: o.at,
      });
      await db.update(children).set({ lastVisitOn: o.on, nextVisitDue: o.next ?? '2026-12-31', riskLevel: o.to ?? 'yellow' }).where(eq(children.id, o.child));
    },
    async addReport(o) {
      refNo++;
      const [row] = await db
        .insert(reports)
        .values({
          ref: `BG-2026-${String(refNo).padStart(6, '0')}`,
          childId: o.child ?? null,
          childDescription: o.child ? null : '约8岁男孩',
          areaCode: o.area,
          situations: ['abandonment'],
          observed: '长期无人照料',
          occurredWhen: '今天上午',
          occurredWhere: '村口',
          immediateDanger: true,
          policeTold: true,
          policeReceipt: 'J-001',
          reporterStaffId: o.reporter,
          channel: 'local',
          createdAt: o.at,
        })
        .returning({ id: reports.id });
      return row!.id;
    },
    async startConversation(staffId, at) {
      await db.insert(conversations).values({
        staffId,
        channel: 'local',
        chatId: 'x',
        flow: 'visit',
        step: 'kind',
        answers: {},
        trail: [],
        startedAt: at,
        updatedAt: at,
      });
    },
    async reassign(child, to, at) {
      await db.update(assignments).set({ endedAt: at }).where(and(eq(assignments.childId, child), isNull(assignments.endedAt)));
      await db.insert(assignments).values({ childId: child, staffId: to, startedAt: at });
    },
    async deactivate(staffId, at) {
      await db.update(staff).set({ active: false, deactivatedAt: at }).where(eq(staff.id, staffId));
    },
  };
}

export interface Delivery {
  channel: ChannelName;
  chatId: string;
  message: OutMessage;
  key: string;
  text: string;
}

/** Our own ChannelRuntime, recording what it is asked to deliver; `script` decides each answer. */
export class RecordingChannel implements ChannelRuntime {
  readonly deliveries: Delivery[] = [];
  readonly attempts: Delivery[] = [];
  script: (d: Delivery, attempt: number) => DeliveryResult = () => ({ ok: true });

  constructor(readonly name: ChannelName) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  health(): Record<string, unknown> {
    return { delivered: this.deliveries.length };
  }
  async deliver(chatId: string, message: OutMessage, idempotencyKey: string): Promise<DeliveryResult> {
    const d: Delivery = { channel: this.name, chatId, message, key: idempotencyKey, text: richToPlain(message.text) };
    this.attempts.push(d);
    const result = this.script(d, this.attempts.filter((a) => a.key === idempotencyKey).length);
    if (result.ok) this.deliveries.push(d);
    return result;
  }
  to(chatId: string): Delivery[] {
    return this.deliveries.filter((d) => d.chatId === chatId);
  }
}

export function channelsOf(...list: RecordingChannel[]): Map<ChannelName, ChannelRuntime> {
  return new Map(list.map((c) => [c.name, c]));
}

/**
 * Empties every table but the visit policy, so a suite can reuse one database (opening PGlite and migrating
 * costs seconds). The audit log refuses TRUNCATE by a trigger; only this test helper lifts it, briefly.
 */
export async function resetDatabase(db: Db): Promise<void> {
  const result = (await db.execute(
    sql`select tablename from pg_tables where schemaname = 'public' and tablename <> 'visit_policy'`,
  )) as unknown as { rows?: { tablename: string }[] } & { tablename: string }[];
  const names = (result.rows ?? result).map((r) => `"${r.tablename}"`);
  await db.execute(sql.raw('alter table audit_log disable trigger audit_log_no_truncate'));
  await db.execute(sql.raw(`truncate table ${names.join(', ')} restart identity cascade`));
  await db.execute(sql.raw('alter table audit_log enable trigger audit_log_no_truncate'));
}

export async function outboxRows(db: Db) {
  return db.select().from(outbox).orderBy(outbox.id);
}

/** Shanghai wall-clock time → instant (UTC+8, no DST). */
export function sh(local: string): Date {
  return new Date(`${local}+08:00`);
}
