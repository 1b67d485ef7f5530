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
  let world: Awaited<ReturnType<typeof demoWorld>>;

  beforeAll(async () => {
    const created = await createServerDatabase();
    drop = created.drop;
    const target = new URL(created.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(created.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    database = await openDatabase({ databaseUrl: viaProxy.toString(), poolSize: 2 });
    world = await demoWorld(database.db, new Date());
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

  it('the database failing as "danger = yes" is answered: told to retry in their language, no half-report, then exactly one report and one alert', async () => {
    // An English-speaking caseworker of 杏花村.
    const wangId = world.staffId('王主任');
    await direct`update staff set locale = 'en' where id = ${wangId}`;
    const wang = await LocalChatClient.demo(base, wangId);
    const send = async (id: string, body: Record<string, unknown>) => wang.send({ id, ...body }, AbortSignal.timeout(10_000));
    const reportState = async () => {
      const [row] = await direct<{ reports: number; alerts: number; keys: number; chats: number; inbound: number }[]>`
        select (select count(*)::int from reports where reporter_staff_id = ${wangId}) as reports,
               (select count(*)::int from outbox where kind = 'report.alert') as alerts,
               (select count(distinct dedupe_key)::int from outbox where kind = 'report.alert') as keys,
               (select count(distinct channel || chat_id)::int from outbox where kind = 'report.alert') as chats,
               (select count(*)::int from processed_inbound where key like '%d-2') as inbound`;
      return row!;
    };
    const asked = await send('d-1', { text: '/report' });
    expect(textOf(asked.json)).toContain('Is the child in danger right now?');
    const yes = buttonData(messagesOf(asked.json), 'Yes, urgent')!;

    // The outage begins the moment the report is written, in the transaction that would also queue its alert.
    const fired = proxy.cutOffOnStatement('insert into "reports"');
    const down = await send('d-2', { data: yes });
    await fired;
    expect(down.status).toBe(503);
    expect(String(down.json.error)).toBe('⚠️ The system cannot save right now; your message was not processed. Please send it again in a moment.');
    // No half-report: no report without its alert, no alert without its report, the answer not recorded as handled.
    expect(await reportState()).toEqual({ reports: 0, alerts: 0, keys: 0, chats: 0, inbound: 0 });

    await proxy.restore();
    // The page sends the same answer again (same id) until the service is back.
    let resumed = await send('d-2', { data: yes });
    for (let tries = 0; resumed.status === 503 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      resumed = await send('d-2', { data: yes });
    }
    expect(resumed.status).toBe(200);
    expect(textOf(resumed.json)).toMatch(/Urgent report BG-\d{4}-\d{6} has gone to the supervisors/);
    // A second tap on the same button (a new message) is a stale button now: still one report, one alert each.
    await send('d-3', { data: yes });
    const after = await reportState();
    expect(after.reports).toBe(1);
    expect(after.alerts).toBeGreaterThan(0);
    expect(after.keys).toBe(after.alerts);
    expect(after.chats).toBe(after.alerts);
    const [report] = await direct<{ id: number; status: string; immediate_danger: boolean }[]>`select id, status, immediate_danger from reports where reporter_staff_id = ${wangId}`;
    expect(report).toMatchObject({ status: 'draft', immediate_danger: true });
    const [preliminary] = await direct<{ n: number }[]>`select count(*)::int as n from outbox where kind = 'report.alert' and dedupe_key like ${`report:${report!.id}:preliminary:0:%`}`;
    expect(preliminary!.n).toBe(after.alerts);
  }, 60_000);
});
