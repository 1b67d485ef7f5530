// The demo county as a test fixture, at a fixed moment.
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { staff } from '../../src/db/schema.js';
import { seedDemo } from '../../src/db/seed.js';

/** 2026-11-23 10:00 in Asia/Shanghai. */
export const NOW = new Date('2026-11-23T02:00:00Z');
export const TZ = 'Asia/Shanghai';

export class TestClock {
  constructor(private current: Date = NOW) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
}

export interface DemoWorld {
  /** Staff ids by name: 周管理员, 赵督导员, 钱督导员, 李主任, 王主任, 孙主任. */
  staffId(name: string): number;
}

export async function demoWorld(db: Db, at: Date = NOW): Promise<DemoWorld> {
  await seedDemo(db, at, TZ);
  const rows = await db.select({ id: staff.id, name: staff.name }).from(staff).where(eq(staff.active, true));
  const ids = new Map(rows.map((r) => [r.name, r.id]));
  return {
    staffId(name) {
      const id = ids.get(name);
      if (id === undefined) throw new Error(`no staff named ${name}`);
      return id;
    },
  };
}
