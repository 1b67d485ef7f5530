// The buttons of the scheduler's messages (reminders, report alerts) through the real core (BotCore.handle →
// onAction), as a user pressing them would.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import type { Database } from '../../src/db/client.js';
import { reports, snoozes } from '../../src/db/schema.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { registerReportButtons } from '../../src/flows/reportButtons.js';
import { registerSchedulerActions } from '../../src/scheduler/index.js';
import { databaseTargets } from '../support/db.js';
import { logger, sh, testConfig, V1, type World } from './fixture.js';
import { useCounty } from './rig.js';

describe.each(databaseTargets())('scheduler buttons through the core on $name', (target) => {
  let database: Database;
  let world: World;
  let core: BotCore;
  let n = 0;

  useCounty(target, { at: sh('2026-11-23T09:05:00') }, ({ database: d, world: w, clock }) => {
    database = d;
    world = w;
    const config = testConfig();
    core = new BotCore({ db: database.db, config, logger, flows: defaultFlows(), clock: clock.now });
    registerSchedulerActions(core, config);
    registerReportButtons(core);
  });

  const press = (who: string, data: string) =>
    core.handle({ channel: 'local', id: `press-${++n}`, userId: who, chatId: who, event: { kind: 'button', data } });

  it('snoozes a reminder and acknowledges a report', async () => {
    const child = await world.addChild({ name: '王小明', area: V1, due: '2026-11-20', caseworker: world.ids.li });
    const snoozed = await press('li', `rm.snooze.${child}.3`);
    expect(snoozed.toast).toBe('已推迟');
    expect(snoozed.replies[0]!.text.map((s) => s.text).join('')).toContain('3天内不再提醒王小明');
    expect((await database.db.select().from(snoozes))[0]!.until).toBe('2026-11-26');

    const report = await world.addReport({ area: V1, reporter: world.ids.li, at: sh('2026-11-23T09:00:00') });
    const refused = await press('li', `r.ack.${report}`);
    expect(refused.replies[0]!.text.map((s) => s.text).join('')).toBe('找不到这份报告，或您无权处理。');
    const acked = await press('east', `r.ack.${report}`);
    expect(acked.toast).toBe('已受理');
    const [r] = await database.db.select().from(reports).where(eq(reports.id, report));
    expect(r!.status).toBe('acknowledged');
    const opened = await press('west', `r.open.${report}`);
    expect(opened.replies[0]!.text.map((s) => s.text).join('')).toBe('Report not found, or not yours to handle.');
  });
});
