import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { enqueue } from '../../src/db/outbox.js';
import { outbox } from '../../src/db/schema.js';
import { OutboxSender, backoffMs } from '../../src/scheduler/sender.js';
import { databaseTargets } from '../support/db.js';
import { channelsOf, Clock, logger, outboxRows, RecordingChannel, sh, testConfig } from './fixture.js';
import { useDatabase } from './rig.js';

const msg = (text: string) => ({ text: [{ text }] });

describe.each(databaseTargets())('the outbox sender on $name', (target) => {
  let database: Database;
  let clock: Clock;
  let local: RecordingChannel;
  let telegram: RecordingChannel;

  useDatabase(target, (d) => {
    database = d;
    clock = new Clock(sh('2026-11-23T10:00:00'));
    local = new RecordingChannel('local');
    telegram = new RecordingChannel('telegram');
  });

  const sender = (env: Record<string, string> = {}, channels = channelsOf(local, telegram)) =>
    new OutboxSender({ db: database.db, config: testConfig(env), logger, channels, clock: clock.now });

  const put = (chatId: string, text: string, extra: Partial<Parameters<typeof enqueue>[1][number]> = {}) =>
    enqueue(database.db, [{ kind: 'test', staffId: null, channel: 'local', chatId, message: msg(text), notBefore: clock.now(), ...extra }]);

  it('retries an adapter that fails three times, with growing waits, then delivers once', async () => {
    const [id] = await put('a', 'hello');
    local.script = (_d, attempt) => (attempt <= 3 ? { ok: false, permanent: false, error: `timeout ${attempt}` } : { ok: true });
    const s = sender();
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await s.runOnce();
      expect(r.retried).toBe(1);
      const [row] = await database.db.select().from(outbox).where(eq(outbox.id, id!));
      expect(row!.attempts).toBe(i + 1);
      expect(row!.lastError).toBe(`timeout ${i + 1}`);
      waits.push(row!.notBefore.getTime() - clock.now().getTime());
      // Not due yet: nothing happens.
      expect((await s.runOnce()).claimed).toBe(0);
      clock.set(row!.notBefore);
    }
    expect(waits[1]!).toBeGreaterThan(waits[0]! * 0.9);
    expect(waits[2]!).toBeGreaterThan(waits[1]! * 0.9);
    expect((await s.runOnce()).sent).toBe(1);
    expect(local.deliveries).toHaveLength(1);
    expect(local.deliveries[0]!.key).toBe(String(id));
    const [row] = await outboxRows(database.db);
    expect(row!.status).toBe('sent');
    expect(row!.attempts).toBe(4);
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(backoffMs(1, () => 0)).toBe(2500);
    expect(backoffMs(1, () => 1)).toBe(5000);
    expect(backoffMs(4, () => 1)).toBe(40_000);
    expect(backoffMs(30, () => 1)).toBe(3_600_000);
  });

  it('marks a permanent failure dead at once, and a message failing every time dead after OUTBOX_MAX_ATTEMPTS', async () => {
    await put('blocked', 'one');
    await put('flaky', 'two');
    local.script = (d) =>
      d.chatId === 'blocked' ? { ok: false, permanent: true, error: 'Forbidden: bot was blocked by the user' } : { ok: false, permanent: false, error: 'boom' };
    const s = sender({ OUTBOX_MAX_ATTEMPTS: '3' });
    for (let i = 0; i < 3; i++) {
      await s.runOnce();
      clock.advance(3_600_000);
    }
    const rows = await outboxRows(database.db);
    expect(rows.map((r) => [r.chatId, r.status, r.attempts])).toEqual([
      ['blocked', 'dead', 1],
      ['flaky', 'dead', 3],
    ]);
    expect(rows[0]!.lastError).toContain('blocked');
    expect(local.attempts.filter((a) => a.chatId === 'blocked')).toHaveLength(1);
  });

  it("honours a 429's retry_after without spending a try, then sends", async () => {
    await enqueue(database.db, [{ kind: 'test', staffId: null, channel: 'telegram', chatId: '7', message: msg('x'), notBefore: clock.now() }]);
    telegram.script = (_d, attempt) => (attempt === 1 ? { ok: false, permanent: false, error: 'Too Many Requests: retry after 7', retryAfterMs: 7000 } : { ok: true });
    const s = sender();
    await s.runOnce();
    let [row] = await outboxRows(database.db);
    expect(row!.notBefore.getTime() - clock.now().getTime()).toBe(7000);
    expect(row!.attempts).toBe(0);
    clock.advance(6000);
    expect((await s.runOnce()).claimed).toBe(0);
    clock.advance(1000);
    // The sender's pacer holds the whole channel for the platform's wait (on the real clock): the row goes back.
    const held = await s.runOnce();
    expect(held.claimed).toBe(1);
    expect(held.sent).toBe(0);
    expect(telegram.attempts).toHaveLength(1);
    // A sender whose pacer has no such wait (another instance) sends it.
    clock.advance(7000);
    expect((await sender().runOnce()).sent).toBe(1);
    [row] = await outboxRows(database.db);
    expect(row!.status).toBe('sent');
  });

  it('one poison message never holds up the others', async () => {
    await put('poison', 'bad');
    for (let i = 0; i < 5; i++) await put(`ok${i}`, `fine ${i}`);
    local.script = (d) => {
      if (d.chatId === 'poison') throw new Error('adapter crashed on this payload');
      return { ok: true };
    };
    const r = await sender().runOnce();
    expect(r.sent).toBe(5);
    expect(r.retried).toBe(1);
    expect(local.deliveries.map((d) => d.chatId).sort()).toEqual(['ok0', 'ok1', 'ok2', 'ok3', 'ok4']);
    const poison = (await outboxRows(database.db)).find((x) => x.chatId === 'poison')!;
    expect(poison.status).toBe('pending');
    expect(poison.lastError).toContain('crashed');
  });

  it('in quiet hours sends only urgent messages; the rest go when quiet hours end', async () => {
    clock.set(sh('2026-11-23T22:30:00'));
    await put('sup', 'report alert', { urgent: true });
    await put('cw', 'reminder-ish');
    const s = sender();
    const r = await s.runOnce();
    expect(r.sent).toBe(1);
    expect(local.deliveries.map((d) => d.text)).toEqual(['report alert']);
    const waiting = (await outboxRows(database.db)).find((x) => x.chatId === 'cw')!;
    expect(waiting.notBefore.toISOString()).toBe(sh('2026-11-24T08:00:00').toISOString());
    clock.set(sh('2026-11-24T07:59:00'));
    expect((await s.runOnce()).sent).toBe(0);
    clock.set(sh('2026-11-24T08:00:00'));
    expect((await s.runOnce()).sent).toBe(1);
    // Quiet hours can be switched off.
    clock.set(sh('2026-11-24T23:00:00'));
    await put('cw', 'late');
    expect((await sender({ QUIET_HOURS: '' }).runOnce()).sent).toBe(1);
  });

  it('leaves messages for a channel that is not running pending, and cancels what expired', async () => {
    await enqueue(database.db, [{ kind: 'test', staffId: null, channel: 'feishu', chatId: 'ou_1', message: msg('f'), notBefore: clock.now() }]);
    await put('late', 'too late', { expiresAt: new Date(clock.now().getTime() - 1) });
    const r = await sender().runOnce();
    expect(r.claimed).toBe(0);
    expect(r.cancelled).toBe(1);
    const rows = await outboxRows(database.db);
    expect(rows.map((x) => [x.channel, x.status])).toEqual([
      ['feishu', 'pending'],
      ['local', 'cancelled'],
    ]);
    expect(local.attempts).toHaveLength(0);
  });
});
