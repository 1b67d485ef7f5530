// Two scheduler instances — two processes' worth of database handles — against one real PostgreSQL: every tick
// fires on both, and the database decides who works. Skipped without TEST_DATABASE_URL (SKIP LOCKED and
// concurrent transactions mean nothing inside PGlite's single session).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { channelIdentities, jobRuns, reminderLog, reportEvents, staff, visitEscalations } from '../../src/db/schema.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/index.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { channelsOf, Clock, logger, outboxRows, RecordingChannel, seedWorld, sh, testConfig, V1, V2, V3 } from './fixture.js';

const CASEWORKERS = 40;

describe.skipIf(!serverUrl)('two scheduler instances on one PostgreSQL', () => {
  let server: { url: string; drop(): Promise<void> };
  let one: Database;
  let two: Database;
  const clock = new Clock(sh('2026-11-23T07:59:00'));
  const channels = [new RecordingChannel('local'), new RecordingChannel('local')];
  let schedulers: Scheduler[];

  beforeAll(async () => {
    server = await createServerDatabase();
    one = await openDatabase({ databaseUrl: server.url, poolSize: 4 });
    two = await openDatabase({ databaseUrl: server.url, poolSize: 4 });
    const world = await seedWorld(one.db);
    const villages = [V1, V2, V3];
    for (let i = 0; i < CASEWORKERS; i++) {
      const area = villages[i % 3]!;
      const [cw] = await one.db.insert(staff).values({ name: `社工${i}`, role: 'caseworker', areaCode: area }).returning({ id: staff.id });
      await one.db.insert(channelIdentities).values({ channel: 'local', externalId: `cw${i}`, chatId: `cw${i}`, staffId: cw!.id });
      for (let k = 0; k < 3; k++) {
        await world.addChild({ name: `儿童${i}-${k}`, area, due: k === 0 ? '2026-11-01' : '2026-11-23', caseworker: cw!.id });
      }
    }
    for (let r = 0; r < 6; r++) await world.addReport({ area: villages[r % 3]!, reporter: world.ids.li, at: sh('2026-11-23T07:00:00') });
    // With a server URL the reminders are queued in parallel partitions, as in production.
    const config = testConfig({ DATABASE_URL: server.url, DIGEST_CHARTS: '0' });
    schedulers = [one, two].map((d, i) =>
      createScheduler({ db: d.db, config, logger, channels: channelsOf(channels[i]!), clock: clock.now, sender: { batchSize: 7 } }),
    );
  });

  afterAll(async () => {
    for (const s of schedulers ?? []) await s.stop();
    await one?.close();
    await two?.close();
    await server?.drop();
  });

  it('produces each reminder, escalation and digest once, and delivers each message once', async () => {
    const minutes = ['07:59', '08:00', '08:01', '08:30', '09:00', '09:01', '09:30'];
    for (const m of minutes) {
      const at = sh(`2026-11-23T${m}:00`);
      clock.set(at);
      await Promise.all(schedulers.map((s) => s.tick(at)));
      // Both senders drain concurrently until nothing is left.
      for (;;) {
        const reports = await Promise.all(schedulers.map((s) => s.sender.runOnce()));
        if (reports.every((r) => r.claimed === 0)) break;
      }
    }
    const delivered = channels.flatMap((c) => c.deliveries);
    const keys = delivered.map((d) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
    const rows = await outboxRows(one.db);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(delivered).toHaveLength(rows.length);
    // Both instances did some of the sending.
    expect(channels.every((c) => c.deliveries.length > 0)).toBe(true);

    const reminders = rows.filter((r) => r.kind === 'reminder');
    // One per caseworker with children due (李主任, 王主任 and 孙主任 have none here).
    expect(reminders).toHaveLength(CASEWORKERS);
    expect(new Set(reminders.map((r) => r.chatId)).size).toBe(CASEWORKERS);
    expect(await one.db.select().from(reminderLog)).toHaveLength(CASEWORKERS * 3);
    const digests = rows.filter((r) => r.kind === 'digest');
    expect(digests.map((d) => d.chatId).sort()).toEqual(['admin', 'county', 'east', 'west']);
    // Reports filed 07:00 escalate at 07:59 (county), 08:30 (admins), 09:00 and 09:30 (admins again): four times each.
    const events = await one.db.select().from(reportEvents);
    expect(events).toHaveLength(6 * 4);
    expect(rows.filter((r) => r.kind === 'report.alert')).toHaveLength(6 * 4);
    // One child per caseworker is 22 days overdue: escalated to level 0 and level 1, once each.
    expect(await one.db.select().from(visitEscalations)).toHaveLength(CASEWORKERS * 2);
    const runs = await one.db.select().from(jobRuns).where(eq(jobRuns.job, 'reminders'));
    expect(runs).toHaveLength(1);
  });
});
