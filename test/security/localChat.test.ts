// Issue 11, finding 1: the local chat had no authentication. Each case drives the real service over HTTP on
// loopback (and, for HOST, the real `npm start` entry point) and names the hole it closes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { message } from '../../src/bot/message.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createInvite } from '../../src/db/invites.js';
import { localSessions, staff } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { adminHarness, testAreasCsv } from '../people/harness.js';
import { freePort } from '../robustness/support/service.js';
import { LocalChatClient } from '../support/localChat.js';
import { TestClock } from '../support/world.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** A request with headers fetch will not let a test forge (Host). */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), cookie: String(res.headers['set-cookie'] ?? '') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `src/main.ts` as `npm start` does, until it prints `until` or exits; returns its output and exit code. */
function runService(env: Record<string, string>, until: RegExp): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', TELEGRAM_BOT_TOKEN: '', FEISHU_APP_ID: '', FEISHU_APP_SECRET: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
    const seen = (c: Buffer) => {
      output += c.toString();
      if (until.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('local chat: sign-in and request checks (issue 11, finding 1)', () => {
  let app: App;
  let dir: string;
  let base: string;
  const clock = new TestClock(new Date());
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-sec-local-'));
    app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dir }), { logger: createLogger('silent'), clock: clock.now, startScheduler: false });
    base = `http://127.0.0.1:${app.port}`;
    for (const row of await app.database.db.select({ id: staff.id, name: staff.name }).from(staff)) ids[row.name] = row.id;
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 without a session, whatever the body says', async () => {
    const stranger = new LocalChatClient(base);
    expect((await stranger.send({ id: 'n1', staff: ids['周管理员'], text: '/menu' })).status).toBe(401);
    expect((await stranger.request('GET', `/api/local/inbox?staff=${ids['赵督导员']}`)).status).toBe(401);
    expect((await stranger.request('GET', '/api/local/session')).status).toBe(401);
  });

  it('refuses {"staff": N}: a signed-in caseworker cannot speak as the admin', async () => {
    const caseworker = await LocalChatClient.demo(base, ids['李主任']!);
    const forged = await caseworker.send({ id: 'imp-1', staff: ids['周管理员'], text: '/status' });
    expect(forged.status).toBe(400);
    const own = await caseworker.send({ id: 'imp-2', text: '/menu' });
    expect(own.status).toBe(200);
    // The menu is the caseworker's: no admin or supervisor entries.
    expect(JSON.stringify(own.json)).not.toContain('审核新登记');
  });

  it("keeps another person's inbox unreadable (a supervisor's report alert)", async () => {
    const alert = message('🚨 强制报告 BG-2026-000001：举报人 李主任');
    await app.channels.get('local')!.deliver(`staff:${ids['赵督导员']}`, alert, 'test-alert');
    const caseworker = await LocalChatClient.demo(base, ids['李主任']!);
    const peek = await caseworker.inbox(0);
    expect(peek.status).toBe(200);
    expect(JSON.stringify(peek.json)).not.toContain('BG-2026-000001');
    const peekByQuery = await caseworker.request('GET', `/api/local/inbox?staff=${ids['赵督导员']}&after=0`);
    expect(JSON.stringify(peekByQuery.json)).not.toContain('BG-2026-000001');
    const supervisor = await LocalChatClient.demo(base, ids['赵督导员']!);
    expect(JSON.stringify((await supervisor.inbox(0)).json)).toContain('BG-2026-000001');
  });

  it('refuses a text/plain POST (a cross-site "simple" request) with 415', async () => {
    const caseworker = await LocalChatClient.demo(base, ids['李主任']!);
    const plain = await caseworker.request('POST', '/api/local/send', JSON.stringify({ id: 'tp-1', text: '/menu' }), { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    const none = await caseworker.request('POST', '/api/local/send', JSON.stringify({ id: 'tp-2', text: '/menu' }), { 'content-type': '' });
    expect(none.status).toBe(415);
    const form = await new LocalChatClient(base).request('POST', '/api/local/session', 'code=ABCDEFGH', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });

  it('refuses a foreign Origin (403), even with a good session', async () => {
    const caseworker = await LocalChatClient.demo(base, ids['李主任']!);
    for (const origin of ['http://evil.example', 'null', `http://localhost.evil.example:${app.port}`]) {
      const r = await caseworker.request('POST', '/api/local/send', JSON.stringify({ id: `o-${origin}`, text: '/menu' }), { 'content-type': 'application/json', origin });
      expect(r.status, origin).toBe(403);
    }
    const crossSite = await caseworker.request('GET', '/api/local/inbox', undefined, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect((await caseworker.request('POST', '/api/local/session/demo', JSON.stringify({ staff: ids['周管理员'] }), { 'content-type': 'application/json', origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses a Host that is neither this machine nor the configured origin (DNS rebinding)', async () => {
    const body = JSON.stringify({ staff: ids['周管理员'] });
    for (const host of [`evil.example:${app.port}`, `127.0.0.1.nip.io:${app.port}`, 'evil.example']) {
      expect((await raw(app.port, 'GET', '/', { host })).status, host).toBe(403);
      expect((await raw(app.port, 'POST', '/api/local/session/demo', { host, 'content-type': 'application/json' }, body)).status, host).toBe(403);
    }
    for (const host of [`127.0.0.1:${app.port}`, `localhost:${app.port}`, `[::1]:${app.port}`]) {
      expect((await raw(app.port, 'GET', '/', { host })).status, host).toBe(200);
    }
  });

  it('signs in with an invite code into an HttpOnly, SameSite=Strict cookie whose token is stored only hashed; sign-out and expiry end it', async () => {
    const { code } = await createInvite(app.database.db, { role: 'caseworker', areaCode: '990101001001', name: '新主任', now: clock.now() });
    const res = await fetch(`${base}/api/local/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const token = /^cw_local=([^;]+)/.exec(cookie)![1]!;
    const rows = await app.database.db.select({ tokenHash: localSessions.tokenHash }).from(localSessions);
    expect(rows.some((r) => r.tokenHash.includes(token))).toBe(false);
    expect(JSON.stringify(await res.json())).toContain('新主任');

    const replay = (path: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `cw_local=${token}` }, body: JSON.stringify({ id: `s-${path}-${Math.random()}`, text: '/menu' }) });
    expect((await replay('/api/local/send')).status).toBe(200);
    expect((await replay('/api/local/signout')).status).toBe(400);
    const out = await fetch(`${base}/api/local/signout`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `cw_local=${token}` }, body: '{}' });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await replay('/api/local/send')).status).toBe(401);

    const { code: second } = await createInvite(app.database.db, { role: 'caseworker', areaCode: '990101001001', staffId: ids['王主任'], now: clock.now() });
    const later = new LocalChatClient(base);
    expect((await later.signIn(second)).status).toBe(200);
    expect((await later.send({ id: 'exp-1', text: '/menu' })).status).toBe(200);
    clock.advance(13 * 3_600_000);
    expect((await later.send({ id: 'exp-2', text: '/menu' })).status).toBe(401);
  });

  it('throttles invite-code guesses per client address, whatever identity each guess makes', async () => {
    const { code } = await createInvite(app.database.db, { role: 'caseworker', areaCode: '990101001001', name: '第三位', now: clock.now() });
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await new LocalChatClient(base).signIn(`WRONG${String(i).padStart(3, '2')}`));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    const blocked = await new LocalChatClient(base).signIn(code);
    expect(blocked.status).toBe(401);
    expect(JSON.stringify(blocked.json)).toContain('尝试次数过多');
    clock.advance(61 * 60_000);
    expect((await new LocalChatClient(base).signIn(code)).status).toBe(200);
  });

  const imports: [string, (admin: ReturnType<typeof adminHarness>) => Promise<{ code: number; out: string; err: string }>][] = [
    ['areas beyond the demo county', (admin) => admin.run('areas', 'import', admin.file('areas.csv', testAreasCsv))],
    // A roster imported into the demo county's own villages is real children's data too.
    ['a roster into the demo villages', (admin) => admin.run('import-roster', admin.file('roster.csv', '姓名,出生日期,村（社区）代码\n真实儿童,2015-03-02,990101001001\n'), '--apply')],
  ];
  it.each(imports)('kills the demo identities once real data is imported (%s): open demo sessions end, the pick list is gone', async (_what, importData) => {
    // A fresh demo service: the cases above invited staff, which is real data already.
    const fresh = await startApp(loadConfig({ PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'cw-sec-demo-')) }), { logger: createLogger('silent'), startScheduler: false });
    try {
      const url = `http://127.0.0.1:${fresh.port}`;
      const [demoAdmin] = await fresh.database.db.select({ id: staff.id }).from(staff).where(eq(staff.name, '周管理员'));
      const asAdmin = await LocalChatClient.demo(url, demoAdmin!.id);
      expect((await asAdmin.send({ id: 'd-1', text: '/menu' })).status).toBe(200);
      expect(((await new LocalChatClient(url).request('GET', '/api/local/session')).json.demo as unknown[]).length).toBe(6);

      const imported = await importData(adminHarness(fresh.database.db));
      expect(imported.code, imported.out + imported.err).toBe(0);

      const after = await asAdmin.send({ id: 'd-2', text: '/menu' });
      expect(after.status).toBe(401);
      expect(after.json.reason).toBe('demoEnded');
      expect(after.json.demo).toBeNull();
      const again = await new LocalChatClient(url).post('/api/local/session/demo', { staff: demoAdmin!.id });
      expect(again.status).toBe(401);
      expect(await fresh.database.db.select().from(localSessions)).toHaveLength(0);
    } finally {
      await fresh.stop();
      rmSync(fresh.config.DATA_DIR, { recursive: true, force: true });
    }
  });
});

describe('local chat: HOST beyond loopback (issue 11, finding 1)', () => {
  it('behind a TLS proxy (LOCAL_CHAT_ORIGIN) accepts that Host and Origin only, sets a Secure cookie and throttles by the forwarded address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-sec-proxy-'));
    const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dir, LOCAL_CHAT_ORIGIN: 'https://chat.example.org' }), { logger: createLogger('silent'), startScheduler: false });
    try {
      const [demo] = await app.database.db.select({ id: staff.id }).from(staff).where(eq(staff.name, '李主任'));
      const json = { host: 'chat.example.org', 'content-type': 'application/json' };
      const good = await raw(app.port, 'POST', '/api/local/session/demo', { ...json, origin: 'https://chat.example.org' }, JSON.stringify({ staff: demo!.id }));
      expect(good.status).toBe(200);
      expect(good.cookie).toMatch(/; Secure/);
      for (const origin of ['http://chat.example.org', 'https://chat.example.org.evil.example', 'https://evil.example']) {
        expect((await raw(app.port, 'POST', '/api/local/session/demo', { ...json, origin }, JSON.stringify({ staff: demo!.id }))).status, origin).toBe(403);
      }
      expect((await raw(app.port, 'GET', '/', { host: 'chat.example.org.evil.example' })).status).toBe(403);
      const guess = (forwardedFor: string) => raw(app.port, 'POST', '/api/local/session', { ...json, 'x-forwarded-for': forwardedFor }, JSON.stringify({ code: 'WRONG222' }));
      // A client cannot buy more guesses by writing its own X-Forwarded-For: the proxy's entry is the last one.
      for (let i = 0; i < 10; i++) expect((await guess(`10.0.0.${i}, 203.0.113.7`)).status).toBe(401);
      expect((await guess('203.0.113.7')).body).toContain('尝试次数过多');
      expect((await guess('198.51.100.2')).body).toContain('邀请码无效');
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with HOST=0.0.0.0 and the local chat on, saying how to put it behind TLS', async () => {
    expect(() => loadConfig({ HOST: '0.0.0.0', LOCAL_CHAT: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '::1' })).not.toThrow();
    expect(() => loadConfig({ HOST: '0.0.0.0', LOCAL_CHAT: '0' })).not.toThrow();
    const dir = mkdtempSync(join(tmpdir(), 'cw-sec-host-'));
    try {
      const run = await runService({ HOST: '0.0.0.0', LOCAL_CHAT: '1', PORT: String(await freePort()), DATA_DIR: dir }, /listening/);
      expect(run.code).toBe(2);
      expect(run.output).toMatch(/TLS reverse proxy/);
      expect(run.output).toMatch(/LOCAL_CHAT_ORIGIN=https:/);
      expect(run.output).not.toMatch(/listening/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('logs the address it really listens on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-sec-log-'));
    try {
      const port = await freePort();
      const run = await runService({ PORT: String(port), DATA_DIR: dir, HOST: '127.0.0.1' }, /local chat: .*\n/);
      expect(run.output).toContain(`local chat: http://127.0.0.1:${port}/`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
