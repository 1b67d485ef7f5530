// The Feishu channel inside the whole service (startApp): its routes on the service's port, its state in /healthz,
// and the outbox delivering through it with the row id as Feishu's idempotency uuid.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { adminRequest } from '../../src/admin/remote.js';
import { startApp, type App } from '../../src/app.js';
import { message } from '../../src/bot/message.js';
import { loadConfig } from '../../src/config.js';
import { enqueue } from '../../src/db/outbox.js';
import { outbox } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { APP_ID, APP_SECRET, ENCRYPT_KEY, FakeFeishu, VERIFICATION_TOKEN, visibleText } from './fakeFeishu.js';
import { eventually } from './harness.js';

describe('Feishu in the service', () => {
  let app: App | undefined;
  let fake: FakeFeishu | undefined;
  let dir: string | undefined;
  let server: { url: string; drop(): Promise<void> } | undefined;
  afterEach(async () => {
    await app?.stop();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await server?.drop();
    app = undefined;
    fake = undefined;
    dir = undefined;
    server = undefined;
  });

  async function start(mode: 'ws' | 'webhook') {
    fake = await new FakeFeishu().start();
    // The real server when there is one (faster to start), else PGlite in a scratch directory.
    if (serverUrl) server = await createServerDatabase();
    else dir = mkdtempSync(join(tmpdir(), 'cw-feishu-'));
    const config = loadConfig({
      PORT: '0',
      ...(server ? { DATABASE_URL: server.url } : { DATA_DIR: dir }),
      SEED_DEMO: '0',
      LOCAL_CHAT: '0',
      QUIET_HOURS: '',
      LOG_LEVEL: 'silent',
      FEISHU_APP_ID: APP_ID,
      FEISHU_APP_SECRET: APP_SECRET,
      FEISHU_DOMAIN: fake.url,
      FEISHU_MODE: mode,
      FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
      FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    });
    app = await startApp(config, { logger: createLogger('silent'), startScheduler: false });
    return `http://127.0.0.1:${app.port}`;
  }

  // The details are on the admin socket; /healthz itself says only up or down (test/security/admin.test.ts).
  const health = async () => {
    const token = readFileSync(join(app!.config.DATA_DIR, 'admin.token'), 'utf8');
    const res = await adminRequest(app!.adminSocket, 'GET', '/admin/health', { 'x-admin-token': token });
    return (JSON.parse(res.body) as { channels: Record<string, Record<string, unknown>> }).channels;
  };

  it('webhook mode: verification, a stranger’s first message, and the outbox sending once per row', async () => {
    const base = await start('webhook');
    expect((await health()).feishu).toMatchObject({ mode: 'webhook' });
    const challenge = await fake!.sendWebhook(`${base}/feishu/events`, { type: 'url_verification', challenge: 'c-1', token: VERIFICATION_TOKEN }, { unsigned: true });
    expect(challenge.body).toEqual({ challenge: 'c-1' });

    await fake!.sendWebhook(`${base}/feishu/events`, fake!.messageEvent({ openId: 'ou_new', chatId: 'oc_new', content: { text: '你好' } }));
    expect(visibleText(await eventually(() => fake!.chat('oc_new')[0]))).toMatch(/邀请码/);
    expect((await health()).feishu!.lastEventAt).toEqual(expect.any(String));

    const db = app!.database.db;
    const [id] = await enqueue(db, [{ kind: 'alert', staffId: null, channel: 'feishu', chatId: 'oc_supervisor', message: message('新的强制报告：BG-2026-000001'), urgent: true }]);
    expect((await app!.scheduler.sender.runOnce()).sent).toBe(1);
    expect(fake!.chat('oc_supervisor').map((m) => m.uuid)).toEqual([String(id)]);
    // A sender that crashed after Feishu accepted the send delivers the row again: Feishu shows it once.
    await db.update(outbox).set({ status: 'pending', sentAt: null, notBefore: new Date(0) }).where(eq(outbox.id, id!));
    expect((await app!.scheduler.sender.runOnce()).sent).toBe(1);
    expect(fake!.chat('oc_supervisor')).toHaveLength(1);
  });

  it('long-connection mode: no webhook routes, the connection state in /healthz', async () => {
    const base = await start('ws');
    await eventually(async () => (await health()).feishu?.state === 'connected');
    expect((await fetch(`${base}/feishu/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(fake!.wsEndpointCalls).toBe(1);
  });
});
