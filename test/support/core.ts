// The bot core as the suites use it: the real flows and a controllable clock, with the per-user flood limit lifted
// (tests drive whole conversations at machine speed; the limit itself is tested in test/core/core.test.ts).
import { BotCore } from '../../src/bot/core.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { registerReportButtons } from '../../src/flows/reportButtons.js';
import { createLogger } from '../../src/logger.js';
import { registerSchedulerActions } from '../../src/scheduler/index.js';

export function testCore(db: Db, options: { clock?: () => Date; config?: Config } = {}): BotCore {
  const config = options.config ?? loadConfig({});
  const core = new BotCore({
    db,
    config,
    logger: createLogger('silent'),
    flows: defaultFlows(),
    clock: options.clock,
    rateLimit: { burst: 1e6, perSecond: 1e6 },
  });
  // What the service registers on its core (src/app.ts), but the approvals, which their own suites register.
  registerSchedulerActions(core, config);
  registerReportButtons(core);
  return core;
}
