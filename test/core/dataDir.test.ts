// One process at a time on a PGlite data directory; data survive a restart and the demo is seeded once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { DataDirBusyError } from '../../src/db/dataDirLock.js';
import { createLogger } from '../../src/logger.js';
import { LocalChatClient } from '../support/localChat.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-data-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('embedded database directory', () => {
  it('refuses a second opener with a clear message while the first holds it', async () => {
    const dir = tempDir();
    const first = await openDatabase({ dataDir: dir });
    try {
      const second = await openDatabase({ dataDir: dir }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(DataDirBusyError);
      expect((second as Error).message).toContain(`in use by process ${process.pid}`);
    } finally {
      await first.close();
    }
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'caseworker.lock'), '999999999');
    const db = await openDatabase({ dataDir: dir });
    await db.close();
  });

  it('keeps data across a restart and seeds the demo county only once', async () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir, PORT: '0' });
    const first = await startApp(config, { logger: createLogger('silent') });
    expect(first.seeded).toBe(true);
    const health = await fetch(`http://127.0.0.1:${first.port}/healthz`).then((r) => r.json());
    expect(health).toEqual({ status: 'ok', db: 'pglite', channels: { local: 'up' } });
    const chat = await LocalChatClient.demo(`http://127.0.0.1:${first.port}`, 4);
    const sent = await chat.send({ id: 'm1', text: '/visit' });
    expect((sent.json.replies as unknown[]).length).toBe(1);
    await first.stop();
    const second = await startApp(config, { logger: createLogger('silent') });
    try {
      expect(second.seeded).toBe(false);
      // The session is a database row: it survives the restart (on the new port the cookie is the same).
      const resumed = await chat.at(`http://127.0.0.1:${second.port}`).send({ id: 'm2', text: '/menu' });
      expect(JSON.stringify(resumed.json.replies)).toContain('继续未完成的“记录走访”');
      const signIn = await new LocalChatClient(`http://127.0.0.1:${second.port}`).request('GET', '/api/local/session');
      expect(signIn.status).toBe(401);
      expect(signIn.json.demo).toHaveLength(6);
    } finally {
      await second.stop();
    }
  });
});
