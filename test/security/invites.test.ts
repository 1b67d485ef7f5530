// Issue 11, finding 9 (invite guesses): guesses are throttled per guesser — the platform's own user id on Telegram
// (the local chat passes the client's address: test/security/localChat.test.ts) — and globally, so many accounts
// guessing a little each cannot add up to many guesses. Driven through Telegram (real grammY, fake Bot API).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, MAX_ATTEMPTS_PER_HOUR, MAX_FAILURES_PER_HOUR_GLOBAL } from '../../src/db/invites.js';
import { auditLog, channelIdentities } from '../../src/db/schema.js';
import { coreText } from '../../src/i18n/core.js';
import { SecureService } from './service.js';

const THROTTLED = coreText('zh-CN', 'onboard.throttled');

describe('issue 11 · invite guesses', () => {
  let service: SecureService;
  beforeAll(async () => {
    service = await SecureService.start();
  });
  afterAll(() => service.stop());

  it('finding 9: invite guesses are throttled per platform user and globally across all of them', async () => {
    let nextUser = 8_200_001;
    const guesser = () => service.fake.user(nextUser++, 'guesser');
    const wrong = (i: number) => `/start ${'ABCDEFGH'.slice(0, 7)}${'JKMNPQRSTUVWXYZ'[i % 15]}`;

    // One account: its own guesses run out, the next account's do not.
    const first = guesser();
    for (let i = 0; i < MAX_ATTEMPTS_PER_HOUR; i++) expect((await service.say(first, wrong(i))).texts.join()).not.toContain(THROTTLED);
    expect((await service.say(first, wrong(0))).texts.join()).toContain(THROTTLED);

    // Many accounts, each under its own limit, until everyone together has failed the global number of times.
    let failures = MAX_ATTEMPTS_PER_HOUR;
    while (failures < MAX_FAILURES_PER_HOUR_GLOBAL) {
      const user = guesser();
      for (let i = 0; i < MAX_ATTEMPTS_PER_HOUR && failures < MAX_FAILURES_PER_HOUR_GLOBAL; i++, failures++) await service.say(user, wrong(i));
    }
    // Now even a fresh account holding a real code waits, and the refusal is on the audit log.
    const staffId = await service.staffId('李主任');
    const { code } = await createInvite(service.db, { role: 'caseworker', areaCode: '990101001001', staffId, now: service.clock.now() });
    const late = guesser();
    expect((await service.say(late, `/start ${code}`)).texts.join()).toContain(THROTTLED);
    expect(await service.db.select().from(channelIdentities).where(eq(channelIdentities.externalId, String(late.id)))).toEqual([]);
    const global = await service.db.select().from(auditLog).where(and(eq(auditLog.action, 'invite.throttled')));
    expect(global.some((row) => (row.detail as { global?: boolean }).global === true)).toBe(true);

    // An hour later the code works.
    service.clock.advance(3_600_001);
    expect((await service.say(late, `/start ${code}`)).texts.join()).toContain('李主任');
  });
});
