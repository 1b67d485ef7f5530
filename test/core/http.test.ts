// The HTTP edge: local chat on loopback, bad requests answered 4xx without a stack trace, config defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { LocalChatClient } from '../support/localChat.js';

describe('configuration', () => {
  it('turns the local chat on only when no messenger is configured, unless forced', () => {
    expect(loadConfig({}).localChat).toBe(true);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:x' }).localChat).toBe(false);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:x', LOCAL_CHAT: '1' }).localChat).toBe(true);
    expect(loadConfig({}).listenHost).toBe('127.0.0.1');
  });
  it('explains what is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ TZ_NAME: 'Mars/Olympus' })).toThrow(/TZ_NAME: unknown time zone/);
    expect(() => loadConfig({ FEISHU_APP_ID: 'a', FEISHU_APP_SECRET: 'b', FEISHU_MODE: 'webhook' })).toThrow(/FEISHU_ENCRYPT_KEY/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_WEBHOOK_URL: 'https://x/tg' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});

describe('local chat HTTP API', () => {
  let app: App;
  let base: string;
  let chat: LocalChatClient;
  beforeAll(async () => {
    app = await startApp(loadConfig({ PORT: '0', DATA_DIR: `/tmp/cw-http-${process.pid}` }), { logger: createLogger('silent') });
    base = `http://127.0.0.1:${app.port}`;
    chat = await LocalChatClient.demo(base, 6);
  });
  afterAll(async () => {
    await app.stop();
    const { rmSync } = await import('node:fs');
    rmSync(`/tmp/cw-http-${process.pid}`, { recursive: true, force: true });
  });

  it('serves the page and answers bad requests with 4xx and no stack trace', async () => {
    expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
    const raw = (body: string) => chat.request('POST', '/api/local/send', body, { 'content-type': 'application/json' });
    const malformed = await raw('{not json');
    expect(malformed.status).toBe(400);
    const wrongShape = await raw(JSON.stringify({ id: 'w', text: 5 }));
    expect(wrongShape.status).toBe(400);
    const huge = await raw(JSON.stringify({ id: 'h', text: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    const bodies = [...[malformed, wrongShape, huge].map((r) => JSON.stringify(r.json)), await missing.text()];
    for (const body of bodies) expect(body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a 4,000-character note and HTML in text as plain text', async () => {
    const send = (id: string, text: string) => chat.send({ id, text }).then((r) => r.json);
    const out = await send('h1', '<img src=x onerror=alert(1)>');
    expect(JSON.stringify(out)).toContain('请选择要做的事');
    await send('h2', '/report');
    const unclear = await send('h3', '也许吧');
    expect(JSON.stringify(unclear)).toContain('请点选下面的一个按钮');
    await send('h4', '否');
    await send('h5', '萧然');
    const note = 'x'.repeat(4000);
    const longReply = await send('h6', note);
    expect(JSON.stringify(longReply)).toContain('请点选适用的选项');
  });
});
