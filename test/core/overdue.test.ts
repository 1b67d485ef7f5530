// The supervisor's escalation list, after the scheduler's daily escalation has run on the demo county.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { eq } from 'drizzle-orm';
import { children } from '../../src/db/schema.js';
import { summarise } from '../../src/scheduler/digest.js';
import { loadDigestSnapshot } from '../../src/scheduler/digestData.js';
import { escalateOverdueVisits } from '../../src/scheduler/visitEscalation.js';
import { CoreDriver } from '../support/chat.js';
import { databaseTargets } from '../support/db.js';
import { demoWorld, NOW, TestClock } from '../support/world.js';
import { testCore } from '../support/core.js';

describe.each(databaseTargets())('escalation list on $name', (target) => {
  let database: Database;
  let chat: CoreDriver;

  beforeEach(async () => {
    database = await target.openDemo();
    const world = await demoWorld(database.db);
    const config = loadConfig({});
    await escalateOverdueVisits(database.db, config, NOW);
    const core = testCore(database.db, { config, clock: new TestClock().now });
    chat = new CoreDriver(core, world, database.db);
  });
  afterEach(() => database.close());

  it('shows a supervisor the overdue visits of their own area only, without touching a draft', async () => {
    await chat.say('赵督导员', '/status');
    const [list] = await chat.say('赵督导员', '/overdue');
    expect(list!.text).toContain('逾期上报名单');
    expect(list!.text).toContain('胡婷（柳树村）逾期43天，应于10月11日走访 · 李主任');
    expect(list!.text).not.toContain('石桥村');
    const [menu] = await chat.say('赵督导员', '/menu');
    expect(menu!.buttons.join(' ')).toContain('继续未完成的“查看儿童档案”');
    expect(menu!.buttons.join(' ')).toContain('⚠️ 逾期上报名单');
  });

  // Issue 12, defect 5: both lists follow today's due dates, not the escalation run's records.
  it('lists a child whose due date moved after the escalation run, however long overdue', async () => {
    await database.db.update(children).set({ nextVisitDue: '2026-03-01' }).where(eq(children.name, '胡婷'));
    const [list] = await chat.say('赵督导员', '/overdue');
    expect(list!.text).toContain('胡婷（柳树村）逾期267天，应于3月1日走访 · 李主任');
    const snap = await loadDigestSnapshot(database.db, {
      today: '2026-11-23', yesterday: '2026-11-22', yesterdayStart: NOW, todayStart: NOW, now: NOW, escalateAfterDays: 7,
    });
    const digest = summarise(snap, { role: 'supervisor', areaCode: '990101001' })!;
    expect(digest.escalated.map((e) => e.name)).toContain('胡婷');
    // The county's admin sees it too: 267 days is past every level's limit.
    expect(summarise(snap, { role: 'admin', areaCode: '990101' })!.escalated.map((e) => e.name)).toContain('胡婷');
  });

  it('is not offered to a caseworker', async () => {
    const [refused] = await chat.say('李主任', '/overdue');
    expect(refused!.text).toContain('你的角色不能使用这个功能');
    const [menu] = await chat.say('李主任', '/menu');
    expect(menu!.buttons.join(' ')).not.toContain('逾期上报名单');
  });
});
