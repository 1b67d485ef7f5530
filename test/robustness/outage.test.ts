// Database outage: PostgreSQL becomes unreachable in the middle of a conversation (a TCP proxy in front of the real
// server is cut), then comes back. While it is down the local chat API answers 503 with the retry text and nothing
// is half-written; once it is back the same action, retried with the same id, goes through and the visit is saved.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import { createLocalChannel } from '../../src/bot/local/adapter.js';
import type { OutMessage } from '../../src/bot/message.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { HttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { LocalChatClient } from '../support/localChat.js';
import { demoWorld } from '../support/world.js';
import { buttonData, messagesOf, textOf } from './support/localClient.js';
import { TcpProxy } from './support/tcpProxy.js';

describe.runIf(serverUrl)('database outage mid-conversation (real PostgreSQL behind a TCP proxy)', () => {
  let drop: () => Promise<void>;
  let direct: postgres.Sql;
  let proxy: TcpProxy;
  let database: Database;
  let http: HttpServer;
  let base = '';
  let chat: LocalChatClient;
  let staffId = 0;

  beforeAll(async () => {
    const created = await createServerDatabase();
    drop = created.drop;
    const target = new URL(created.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(created.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    database = await openDatabase({ databaseUrl: viaProxy.toString(), poolSize: 2 });
    const world = await demoWorld(database.db, new Date());
    staffId = world.staffId('李主任');
    const logger = createLogger('silent');
    const core = new BotCore({ db: database.db, config: loadConfig({}), logger, flows: defaultFlows(), rateLimit: { burst: 1e6, perSecond: 1e6 } });
    http = new HttpServer(logger);
    createLocalChannel({ core, http, db: database.db, config: loadConfig({}) });
    base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
    chat = await LocalChatClient.demo(base, staffId);
    direct = postgres(created.url, { max: 1, onnotice: () => {} });
  }, 60_000);

  afterAll(async () => {
    await http?.close();
    await database?.close().catch(() => {});
    await proxy?.close();
    await direct?.end();
    await drop?.();
  });

  async function post(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown>; raw: string }> {
    const answer = await chat.send(body, AbortSignal.timeout(10_000));
    return { ...answer, raw: JSON.stringify(answer.json) };
  }

  const snapshot = async () => {
    const [row] = await direct<{ version: number; step: string; inbound: number; visits: number }[]>`
      select (select version from conversations where staff_id = ${staffId} and status = 'active') as version,
             (select step from conversations where staff_id = ${staffId} and status = 'active') as step,
             (select count(*)::int from processed_inbound) as inbound,
             (select count(*)::int from visits where ref not like 'ZF-DEMO-%') as visits`;
    return row!;
  };

  let shown: OutMessage[] = [];
  const step = async (id: string, body: Record<string, unknown>) => {
    const r = await post({ id, ...body });
    expect(r.status).toBe(200);
    shown = messagesOf(r.json);
    return r;
  };
  /** A visit started and answered up to the visit's kind. */
  const upToKind = async (prefix: string) => {
    await step(`${prefix}-1`, { text: '/visit' });
    await step(`${prefix}-2`, { text: '胡婷' });
    await step(`${prefix}-3`, { data: buttonData(shown, '今天') });
  };

  it('answers 503 with the retry text while down, writes nothing, and continues after the restore', async () => {
    await upToKind('o');
    const before = await snapshot();
    expect(before.step).toBe('kind');

    await proxy.cutOff();
    const kind = buttonData(shown, '到校');
    for (const attempt of [1, 2]) {
      const down = await post({ id: 'o-4', data: kind });
      expect(down.status, `attempt ${attempt}`).toBe(503);
      expect(String(down.json.error)).toContain('请稍后再发一次');
      expect(down.raw).not.toMatch(/\n\s+at |node_modules|ECONN/);
    }
    // Nothing half-written: the draft did not move, the update id was not recorded.
    expect(await snapshot()).toEqual(before);

    await proxy.restore();
    // postgres.js reconnects by itself on the next query; the client retries with the same id.
    const resumed = await step('o-4', { data: kind });
    expect(resumed.json.duplicate).toBeUndefined();
    expect(textOf(resumed.json)).toContain('见到孩子本人了吗');
    await step('o-5', { data: buttonData(shown, '见到本人') });
    await step('o-6', { data: buttonData(shown, '情况无变化') });
    const saved = await step('o-7', { data: buttonData(shown, '确认提交') });
    expect(textOf(saved.json)).toContain('已保存');
    const after = await snapshot();
    expect(after.visits).toBe(1);
    expect(after.version).toBeNull();
    const [v] = await direct<{ kind: string }[]>`select kind from visits where ref not like 'ZF-DEMO-%'`;
    expect(v!.kind).toBe('school');
  }, 60_000);

  it('answers 503 at once when idle pooled connections are reset while the server is unreachable, then recovers', async () => {
    await upToKind('r');
    const before = await snapshot();

    // The pooled connections are idle now; they are reset (RST) while the server cannot be reached.
    await proxy.cutOff({ reset: true });
    const kind = buttonData(shown, '到校');
    for (const attempt of [1, 2, 3]) {
      const started = Date.now();
      const down = await post({ id: 'r-4', data: kind });
      expect(down.status, `attempt ${attempt}`).toBe(503);
      expect(Date.now() - started, `attempt ${attempt} answered in time`).toBeLessThan(8_000);
    }
    expect(await snapshot()).toEqual(before);

    await proxy.restore();
    // The pool reconnects with a backoff; the client retries the same id until it goes through.
    let resumed = await post({ id: 'r-4', data: kind });
    for (let tries = 0; resumed.status === 503 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      resumed = await post({ id: 'r-4', data: kind });
    }
    expect(resumed.status).toBe(200);
    expect(textOf(resumed.json)).toContain('见到孩子本人了吗');
    expect((await snapshot()).version).toBe(before.version! + 1);
  }, 60_000);
});
