// Issue 11, findings 8 and 9 (health): the admin route is not on the public port — it is served on a Unix socket in
// the data directory (0600), still behind its token, and the admin CLI finds it there; /healthz tells anyone only
// up or down per channel, the details (Telegram's last error text) only the admin route.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRequest } from '../../src/admin/remote.js';
import { adminCli, SecureService } from './service.js';

const LEAKY_ERROR = 'Bad Request: bot token 123456:SECRET-DETAIL rejected by api.internal.example';

describe('issue 11 · admin route and health', () => {
  let service: SecureService;
  let dataDir: string;
  let token: string;
  beforeAll(async () => {
    // Telegram refuses one call at start: the channel keeps running, with the platform's error text recorded.
    service = await SecureService.start({}, (fake) => fake.failNext('setMyCommands', { code: 400, description: LEAKY_ERROR }));
    dataDir = service.app.config.DATA_DIR;
    token = readFileSync(join(dataDir, 'admin.token'), 'utf8');
  });
  afterAll(() => service.stop());

  it('finding 8: POST /admin/run is not on the public port, even from loopback with the token; it answers on a 0600 socket in DATA_DIR', async () => {
    const body = JSON.stringify({ argv: ['areas', 'list'] });
    const publicPort = await fetch(`${service.url}/admin/run`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': token }, body });
    expect(publicPort.status).toBe(404);

    const socket = statSync(service.app.adminSocket);
    expect(socket.isSocket()).toBe(true);
    expect(service.app.adminSocket.startsWith(dataDir)).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect((await adminRequest(service.app.adminSocket, 'POST', '/admin/run', {}, body)).status).toBe(401);
    expect((await adminRequest(service.app.adminSocket, 'POST', '/admin/run', { 'x-admin-token': `${token}x` }, body)).status).toBe(401);
    const ran = await adminRequest(service.app.adminSocket, 'POST', '/admin/run', { 'x-admin-token': token }, body);
    expect(ran.status).toBe(200);
    expect(JSON.parse(ran.body)).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('990101') });

    // The administrator's CLI, with the service holding the data directory, goes through the socket.
    const cli = await adminCli(['areas', 'list'], { DATA_DIR: dataDir });
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringContaining('990101') });
  });

  it('finding 9: /healthz says only up or down per channel; Telegram\'s last error text is on the admin route only', async () => {
    const open = await fetch(`${service.url}/healthz`);
    const text = await open.text();
    expect(open.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ status: 'ok', db: 'pglite', channels: { telegram: 'up' } });
    expect(text).not.toContain('SECRET-DETAIL');

    expect((await adminRequest(service.app.adminSocket, 'GET', '/admin/health', {})).status).toBe(401);
    const detailed = await adminRequest(service.app.adminSocket, 'GET', '/admin/health', { 'x-admin-token': token });
    expect(detailed.status).toBe(200);
    expect(JSON.parse(detailed.body)).toMatchObject({ channels: { telegram: { mode: 'polling', state: 'running', lastError: expect.stringContaining('SECRET-DETAIL') } } });
  });
});
