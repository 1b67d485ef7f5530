// The load's people: the demo county plus a bench village with many caseworkers, each bound to a Telegram account
// and holding a small caseload of left-behind children visited before (so the long "record each item" path is
// offered and the guardianship-agreement question is asked).
import { addDays, todayIn } from '../../src/domain/dates.js';
import type { Db } from '../../src/db/client.js';
import { areas, assignments, channelIdentities, children, staff, visits, type Dimensions } from '../../src/db/schema.js';
import { seedDemo } from '../../src/db/seed.js';

export const TZ = 'Asia/Shanghai';
export const BENCH_VILLAGE = '990101001099';
const FIRST_USER = 810_000_000;
const fine: Dimensions = Object.fromEntries(['health', 'mental', 'education', 'hygiene', 'living', 'guardianship'].map((d) => [d, { level: 'fine' as const }]));

export interface BenchUser {
  telegramId: number;
  staffId: number;
}

/** Seeds the demo county, then `count` caseworkers with `caseload` children each. */
export async function seedBenchWorld(db: Db, count: number, caseload = 4, now = new Date()): Promise<BenchUser[]> {
  await seedDemo(db, now, TZ);
  const today = todayIn(TZ, now);
  return db.transaction(async (tx) => {
    await tx.insert(areas).values({ code: BENCH_VILLAGE, name: '压测村', level: 'village', parentCode: '990101001', path: '/99/9901/990101/990101001/990101001099/' });
    const people = await tx
      .insert(staff)
      .values(Array.from({ length: count }, (_, i) => ({ name: `压测社工${i + 1}`, role: 'caseworker' as const, areaCode: BENCH_VILLAGE })))
      .returning({ id: staff.id });
    const users = people.map((p, i) => ({ telegramId: FIRST_USER + i, staffId: p.id }));
    await tx.insert(channelIdentities).values(users.map((u) => ({ channel: 'telegram' as const, externalId: String(u.telegramId), chatId: String(u.telegramId), staffId: u.staffId })));
    const lastVisit = addDays(today, -20);
    const kids = await tx
      .insert(children)
      .values(users.flatMap((_, i) => Array.from({ length: caseload }, (__, k) => ({
        name: `压测儿童${i + 1}-${k + 1}`,
        sex: k % 2 === 0 ? ('male' as const) : ('female' as const),
        birthDate: `201${k % 10}-0${(k % 9) + 1}-1${k % 10}`,
        categories: ['left_behind'],
        riskLevel: 'yellow' as const,
        areaCode: BENCH_VILLAGE,
        lastVisitOn: lastVisit,
        nextVisitDue: addDays(lastVisit, 30),
      }))))
      .returning({ id: children.id });
    await tx.insert(assignments).values(kids.map((k, j) => ({ childId: k.id, staffId: users[Math.floor(j / caseload)]!.staffId })));
    await tx.insert(visits).values(kids.map((k, j) => ({
      ref: `ZF-BENCH-${j + 1}`,
      childId: k.id,
      staffId: users[Math.floor(j / caseload)]!.staffId,
      visitedOn: lastVisit,
      kind: 'home' as const,
      childSeen: true,
      dimensions: fine,
      riskBefore: 'yellow' as const,
      riskAfter: 'yellow' as const,
      nextVisitOn: addDays(lastVisit, 30),
      channel: 'telegram',
    })));
    return users;
  });
}
