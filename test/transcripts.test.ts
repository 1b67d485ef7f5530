// Every transcript, through the channel-neutral core, on PGlite and (with TEST_DATABASE_URL) real PostgreSQL.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'vitest';
import { BotCore } from '../src/bot/core.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { defaultFlows } from '../src/flows/registry.js';
import { createLogger } from '../src/logger.js';
import { CoreDriver } from './support/chat.js';
import { databaseTargets } from './support/db.js';
import { loadTranscript, runTranscript } from './support/transcript.js';
import { demoWorld, TestClock } from './support/world.js';

const unlimited = { burst: 1e6, perSecond: 1e6 };
const dir = fileURLToPath(new URL('./transcripts/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.chat')).sort();

describe.each(databaseTargets())('transcripts on $name', (target) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it.each(files)('%s', async (file) => {
    database = await target.openDemo();
    const world = await demoWorld(database.db);
    const clock = new TestClock();
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger: createLogger('silent'), flows: defaultFlows(), clock: clock.now, rateLimit: unlimited });
    await runTranscript(loadTranscript(dir + file), new CoreDriver(core, world), database.db);
  });
});
