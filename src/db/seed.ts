// A fictional demo county, so anyone can try every flow with no bot token. Written once, into an empty database.
import { and, count, eq, exists, isNotNull, isNull, like, ne, notExists, notInArray, or, sql } from 'drizzle-orm';
import { addDays, todayIn } from '../domain/dates.js';
import { nextVisitDue, type PolicyRow } from '../domain/visitPolicy.js';
import type { Conn, Db } from './client.js';
import { loadPolicy } from './policy.js';
import { areas, assignments, channelIdentities, children, staff, visits, type Dimensions, type RiskLevel, type Role } from './schema.js';

const demoAreas = [
  { code: '99', name: '示范省', level: 'province', parentCode: null },
  { code: '9901', name: '示范市', level: 'city', parentCode: '99' },
  { code: '990101', name: '示范县', level: 'county', parentCode: '9901' },
  { code: '990101001', name: '东风镇', level: 'township', parentCode: '990101' },
  { code: '990101002', name: '红星乡', level: 'township', parentCode: '990101' },
  { code: '990101001001', name: '柳树村', level: 'village', parentCode: '990101001' },
  { code: '990101001002', name: '杏花村', level: 'village', parentCode: '990101001' },
  { code: '990101002001', name: '石桥村', level: 'village', parentCode: '990101002' },
] as const;

const demoStaff: { name: string; role: Role; areaCode: string; phone: string }[] = [
  { name: '周管理员', role: 'admin', areaCode: '990101', phone: '13900000001' },
  { name: '赵督导员', role: 'supervisor', areaCode: '990101001', phone: '13900000002' },
  { name: '钱督导员', role: 'supervisor', areaCode: '990101002', phone: '13900000003' },
  { name: '李主任', role: 'caseworker', areaCode: '990101001001', phone: '13900000004' },
  { name: '王主任', role: 'caseworker', areaCode: '990101001002', phone: '13900000005' },
  { name: '孙主任', role: 'caseworker', areaCode: '990101002001', phone: '13900000006' },
];

const childNames = [
  '王小明', '李芳', '张伟', '刘洋', '陈静', '杨帆', '黄磊', '赵敏', '吴倩', '周杰',
  '徐丽', '孙浩', '胡婷', '朱琳', '高翔', '林峰', '何雪', '郭强', '马超', '罗娟',
  '梁宇', '宋佳', '郑凯', '谢蕾', '韩冰', '唐亮', '冯霞', '于波', '董欣', '萧然',
];

const categorySets = [
  ['left_behind'], ['community_orphan'], ['left_behind', 'in_distress'], ['de_facto_unsupported'], ['disabled', 'in_distress'],
  ['left_behind'], ['migrant'], ['institutional_orphan'], ['in_distress'], ['left_behind', 'disabled'],
];
const risks: RiskLevel[] = ['yellow', 'green', 'orange', 'green', 'red', 'yellow', 'green', 'yellow', 'orange', 'green'];
const relations = ['祖母', '祖父', '外婆', '叔叔', '姑姑'];

const allFine: Dimensions = Object.fromEntries(['health', 'mental', 'education', 'hygiene', 'living', 'guardianship'].map((d) => [d, { level: 'fine' as const }]));

/** Seeds the demo county if the database has no staff yet. Returns whether it seeded. */
export async function seedDemo(db: Db, now: Date, timeZone: string): Promise<boolean> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(staff);
  if (n > 0) return false;
  const today = todayIn(timeZone, now);
  await db.transaction(async (tx) => {
    const areaPath = new Map<string, string>();
    for (const a of demoAreas) {
      const path = `${a.parentCode ? areaPath.get(a.parentCode) : '/'}${a.code}/`;
      areaPath.set(a.code, path);
      await tx.insert(areas).values({ ...a, path });
    }
    const staffRows = await tx.insert(staff).values(demoStaff).returning({ id: staff.id, role: staff.role, areaCode: staff.areaCode });
    await tx.insert(channelIdentities).values(staffRows.map((s) => ({ channel: 'local' as const, externalId: `${demoIdentityPrefix}${s.id}`, chatId: `${demoIdentityPrefix}${s.id}`, staffId: s.id })));
    const caseworkers = staffRows.filter((s) => s.role === 'caseworker');
    const policy: PolicyRow[] = await loadPolicy(tx);
    for (const [i, name] of childNames.entries()) {
      const caseworker = caseworkers[i % caseworkers.length]!;
      const categories = categorySets[i % categorySets.length]!;
      const riskLevel = risks[i % risks.length]!;
      // Spread the last visits so that some children are overdue, some due today, some later, a few never visited.
      const lastVisitOn = i % 7 === 6 ? null : addDays(today, -(5 + ((i * 11) % 80)));
      const due = nextVisitDue({ lastVisitOn, categories, risk: riskLevel, rows: policy, today });
      const [child] = await tx
        .insert(children)
        .values({
          name,
          sex: i % 2 === 0 ? 'male' : 'female',
          birthDate: `${2010 + (i % 12)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
          categories,
          riskLevel,
          areaCode: caseworker.areaCode,
          guardianName: `${name.slice(0, 1)}${relations[i % relations.length]}`,
          guardianRelation: relations[i % relations.length],
          guardianPhone: `1380000${String(1000 + i).padStart(4, '0')}`,
          lastVisitOn,
          nextVisitDue: due,
        })
        .returning({ id: children.id });
      await tx.insert(assignments).values({ childId: child!.id, staffId: caseworker.id });
      if (lastVisitOn) {
        await tx.insert(visits).values({
          ref: `ZF-DEMO-${String(i + 1).padStart(4, '0')}`,
          childId: child!.id,
          staffId: caseworker.id,
          visitedOn: lastVisitOn,
          kind: 'home',
          childSeen: true,
          dimensions: riskLevel === 'red' || riskLevel === 'orange' ? { ...allFine, guardianship: { level: 'concern', note: '监护人长期外出' } } : allFine,
          riskBefore: riskLevel,
          riskAfter: riskLevel,
          nextVisitOn: due,
          channel: 'local',
        });
      }
    }
  });
  return true;
}

/** The local identity of a seeded demo staff member (`staff:<id>`), the one the demo's "pick who you are" uses. */
export const demoIdentityPrefix = 'staff:';

/**
 * True while the database holds the seeded demo county and nothing else: every area is a demo area, every staff
 * member a seeded demo one, and every child either seeded (in the seed's transaction, without an ID number) or
 * registered through the bot. Anything imported or invited beyond that is real data, and the demo identities
 * (which include an admin who sees everything) must stop working.
 */
export async function holdsOnlyDemoCounty(conn: Conn): Promise<boolean> {
  const demoIdentity = (staffId: typeof staff.id) =>
    conn
      .select({ one: sql`1` })
      .from(channelIdentities)
      .where(and(eq(channelIdentities.channel, 'local'), eq(channelIdentities.staffId, staffId), eq(channelIdentities.externalId, sql`${demoIdentityPrefix}::text || ${staffId}::text`)));
  const [row] = await conn
    .select({
      demoOnly: sql<boolean>`${exists(conn.select({ one: sql`1` }).from(channelIdentities).where(and(eq(channelIdentities.channel, 'local'), like(channelIdentities.externalId, `${demoIdentityPrefix}%`))))}
        and ${notExists(conn.select({ one: sql`1` }).from(areas).where(notInArray(areas.code, demoAreas.map((a) => a.code))))}
        and ${notExists(conn.select({ one: sql`1` }).from(staff).where(notExists(demoIdentity(staff.id))))}
        and ${notExists(conn.select({ one: sql`1` }).from(children).where(and(isNull(children.registeredBy), or(isNotNull(children.idNumber), ne(children.createdAt, sql`(select min(${staff.createdAt}) from ${staff})`)))))}`,
    })
    .from(sql`(select 1) as probe`);
  return row?.demoOnly === true;
}
