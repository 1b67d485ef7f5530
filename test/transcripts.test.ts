// Every transcript, through the channel-neutral core, on PGlite and (with TEST_DATABASE_URL) real PostgreSQL.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { CoreDriver } from './support/chat.js';
import { databaseTargets } from './support/db.js';
import { loadTranscript, runTranscript } from './support/transcript.js';
import { demoWorld, TestClock } from './support/world.js';
import { testCore } from './support/core.js';

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
    const core = testCore(database.db, { clock: clock.now });
    await runTranscript(loadTranscript(dir + file), new CoreDriver(core, world, database.db), database.db, clock);
  });
});
