// A child process that does only the outbox's job: the scheduler's real OutboxSender delivering through the real
// Feishu channel to the fake open platform (FAKE_FEISHU_URL), on DATABASE_URL. A short lease so that rows claimed
// by a killed process come back within a second instead of two minutes.
import { BotCore } from '../../../src/bot/core.js';
import { createFeishuChannel } from '../../../src/bot/feishu/index.js';
import { loadConfig } from '../../../src/config.js';
import { openDatabase } from '../../../src/db/client.js';
import { defaultFlows } from '../../../src/flows/registry.js';
import { HttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/logger.js';
import { OutboxSender } from '../../../src/scheduler/sender.js';
import { APP_ID, APP_SECRET, ENCRYPT_KEY, VERIFICATION_TOKEN } from '../../feishu/fakeFeishu.js';

const config = loadConfig({
  DATABASE_URL: process.env.DATABASE_URL!,
  FEISHU_APP_ID: APP_ID,
  FEISHU_APP_SECRET: APP_SECRET,
  FEISHU_DOMAIN: process.env.FAKE_FEISHU_URL!,
  FEISHU_MODE: 'webhook',
  FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
  FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
  LOG_LEVEL: 'silent',
});
const logger = createLogger('silent');
const database = await openDatabase({ databaseUrl: config.DATABASE_URL!, poolSize: 4 });
const core = new BotCore({ db: database.db, config, logger, flows: defaultFlows() });
const http = new HttpServer(logger);
const channel = createFeishuChannel({ config, core, http, logger, db: database.db });
await channel.start();
const sender = new OutboxSender({ db: database.db, config, logger, channels: new Map([['feishu', channel]]), clock: () => new Date(), leaseMs: 800, pollMs: 50, concurrency: 4 });
sender.start();
process.stdout.write('sender running\n');
