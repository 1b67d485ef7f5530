import { describe, expect, it } from 'vitest';
import { nextVisitDue, overdueDays } from '../../src/domain/visitPolicy.js';
import { defaultPolicy } from '../../src/domain/visitPolicy.js';
import { Pacer, defaultLimits } from '../../src/scheduler/pacer.js';
import { parseQuietHours, quietUntil } from '../../src/scheduler/quietHours.js';
import { endOfDay, localDate, zonedInstant } from '../../src/scheduler/time.js';
import { renderReminder } from '../../src/scheduler/reminders.js';

describe('due dates as the scheduler sees them', () => {
  const due = (lastVisitOn: string, risk: 'red' | 'orange' | 'yellow' | 'green', categories: string[] = []) =>
    nextVisitDue({ lastVisitOn, categories, risk, rows: defaultPolicy, today: lastVisitOn });

  it('crosses month ends and leap days', () => {
    expect(due('2028-01-31', 'yellow')).toBe('2028-03-01');
    expect(due('2027-01-31', 'yellow')).toBe('2027-03-02');
    expect(due('2028-02-22', 'red')).toBe('2028-02-29');
    expect(due('2028-02-29', 'red')).toBe('2028-03-07');
    expect(due('2026-12-20', 'orange')).toBe('2027-01-03');
    expect(due('2026-10-01', 'green', ['left_behind'])).toBe('2026-10-31');
    expect(overdueDays('2028-02-28', '2028-03-01')).toBe(2);
    expect(overdueDays('2027-02-28', '2027-03-01')).toBe(1);
  });

  it('counts days in the deployment time zone, not UTC', () => {
    // 00:30 on the 23rd in Shanghai is still the 22nd in UTC and in Los Angeles.
    const at = new Date('2026-11-22T16:30:00Z');
    expect(localDate(at, 'Asia/Shanghai')).toBe('2026-11-23');
    expect(localDate(at, 'UTC')).toBe('2026-11-22');
    expect(localDate(at, 'America/Los_Angeles')).toBe('2026-11-22');
    const message = renderReminder('zh-CN', localDate(at, 'Asia/Shanghai'), [{ childId: 1, name: '王小明', village: '红旗村', due: '2026-10-31' }]);
    expect(message.text.map((s) => s.text).join('')).toContain('逾期23天');
  });

  it('finds the end of a local day, across DST changes', () => {
    expect(endOfDay('2026-11-23', 'Asia/Shanghai').toISOString()).toBe('2026-11-23T16:00:00.000Z');
    // Los Angeles falls back on 2026-11-01: that day has 25 hours.
    const start = zonedInstant('2026-11-01', 0, 'America/Los_Angeles');
    expect(start.toISOString()).toBe('2026-11-01T07:00:00.000Z');
    expect(endOfDay('2026-11-01', 'America/Los_Angeles').getTime() - start.getTime()).toBe(25 * 3_600_000);
    // New York springs forward on 2026-03-08: 09:00 that day is 13:00 UTC.
    expect(zonedInstant('2026-03-08', 9 * 60, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
  });
});

describe('quiet hours', () => {
  const q = parseQuietHours('21:00-08:00');
  const tz = 'Asia/Shanghai';
  const sh = (s: string) => new Date(`${s}+08:00`);

  it('wrap midnight and end at 08:00 local', () => {
    expect(quietUntil(q, sh('2026-11-23T20:59:59'), tz)).toBeNull();
    expect(quietUntil(q, sh('2026-11-23T21:00:00'), tz)!.toISOString()).toBe(sh('2026-11-24T08:00:00').toISOString());
    expect(quietUntil(q, sh('2026-11-24T03:00:00'), tz)!.toISOString()).toBe(sh('2026-11-24T08:00:00').toISOString());
    expect(quietUntil(q, sh('2026-11-24T08:00:00'), tz)).toBeNull();
  });

  it('may be a daytime window, or off', () => {
    const lunch = parseQuietHours('12:00-13:30');
    expect(quietUntil(lunch, sh('2026-11-23T12:10:00'), tz)!.toISOString()).toBe(sh('2026-11-23T13:30:00').toISOString());
    expect(quietUntil(lunch, sh('2026-11-23T13:30:00'), tz)).toBeNull();
    expect(parseQuietHours('')).toBeNull();
    expect(quietUntil(parseQuietHours(''), sh('2026-11-23T23:00:00'), tz)).toBeNull();
  });
});

describe('the pacer', () => {
  /** Takes a slot and, like a send answered at once, finishes it: the wait, 0 when sent. */
  const send = (pacer: Pacer, channel: string, chat: string): number => {
    const { wait, ticket } = pacer.tryTake(channel, chat);
    ticket?.done();
    return wait;
  };

  it("keeps Telegram to 30 a second overall and 1 a second per chat, and holds the channel for a 429's wait", () => {
    let now = 0;
    const pacer = new Pacer(defaultLimits, () => now);
    let sent = 0;
    for (let i = 0; i < 40; i++) if (send(pacer, 'telegram', `chat${i}`) === 0) sent++;
    expect(sent).toBe(30);
    // Windows carry a 10 ms margin.
    expect(send(pacer, 'telegram', 'chat99')).toBe(1010);
    now = 1010;
    expect(send(pacer, 'telegram', 'chat99')).toBe(0);
    expect(send(pacer, 'telegram', 'chat99')).toBe(1010);
    // Local chat has no limits; Feishu allows 5 a second to one chat.
    for (let i = 0; i < 100; i++) expect(send(pacer, 'local', 'x')).toBe(0);
    for (let i = 0; i < 5; i++) expect(send(pacer, 'feishu', 'ou')).toBe(0);
    expect(send(pacer, 'feishu', 'ou')).toBeGreaterThan(0);
    pacer.block('telegram', 5000);
    now = 3010;
    expect(send(pacer, 'telegram', 'fresh')).toBe(3000);
    now = 6010;
    expect(send(pacer, 'telegram', 'fresh')).toBe(0);
  });

  it('counts a window from the answer: a slow request delays the next window rather than overlapping it', () => {
    let now = 0;
    const pacer = new Pacer(defaultLimits, () => now);
    const slow = pacer.tryTake('telegram', 'a').ticket!;
    now = 5000;
    // Still in flight after 5 s: the chat's one-a-second slot is taken; look again shortly.
    expect(pacer.tryTake('telegram', 'a').wait).toBe(5);
    slow.done();
    expect(pacer.tryTake('telegram', 'a').wait).toBe(1010);
    now = 6010;
    expect(send(pacer, 'telegram', 'a')).toBe(0);
    // A request never answered stops holding the chat after a minute.
    now = 10_000;
    pacer.tryTake('telegram', 'b');
    now = 69_999;
    expect(pacer.tryTake('telegram', 'b').wait).toBe(5);
    now = 71_010;
    expect(pacer.tryTake('telegram', 'b').wait).toBe(0);
  });

  it('widens its margin after a 429 and narrows it back after steady success', () => {
    const pacer = new Pacer(defaultLimits, () => 0);
    expect(pacer.marginOf('telegram')).toBe(10);
    pacer.block('telegram', 1000);
    pacer.block('telegram', 1000);
    expect(pacer.marginOf('telegram')).toBe(90);
    for (let i = 0; i < 100; i++) pacer.delivered('telegram');
    expect(pacer.marginOf('telegram')).toBe(80);
    for (let i = 0; i < 10_000; i++) pacer.delivered('telegram');
    expect(pacer.marginOf('telegram')).toBe(10);
    // The local chat has no platform limits to adapt.
    pacer.block('local', 10);
    expect(pacer.marginOf('local')).toBe(0);
  });

  it('keeps Feishu to 1,000 a minute', () => {
    let now = 0;
    const pacer = new Pacer(defaultLimits, () => now);
    let sent = 0;
    for (let step = 0; step < 60_000; step += 10) {
      now = step;
      if (send(pacer, 'feishu', `c${step}`) === 0) sent++;
    }
    expect(sent).toBe(1000);
  });
});
