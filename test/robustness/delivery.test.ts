// Outbox delivery under crashes: a sender process (the real OutboxSender and Feishu channel) is killed with SIGKILL
// while it delivers to the fake Feishu platform, restarted, and left to finish. What is guaranteed, precisely:
// - no message is lost: every row ends `sent` — a row claimed by a killed sender comes back when its lease ends;
// - delivery to the platform is at least once: a row handed to Feishu but not yet marked sent when the process
//   died is sent again (at most the rows in flight at each kill);
// - the user sees it once: the outbox id travels as Feishu's `uuid`, so the platform keeps one message per row.
// (Telegram has no such key: there a crash in that window can show a message twice.)
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { FakeFeishu } from '../feishu/fakeFeishu.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { prng } from './support/localClient.js';

const ROWS = 40;
const seed = Number(process.env.ROBUSTNESS_SEED ?? 20261123);
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

describe.runIf(serverUrl)('outbox delivery with the sender killed mid-delivery (real PostgreSQL, fake Feishu)', () => {
  let drop: () => Promise<void>;
  let url = '';
  let sql: postgres.Sql;
  let fake: FakeFeishu;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const created = await createServerDatabase();
    drop = created.drop;
    url = created.url;
    await (await openDatabase({ databaseUrl: url, poolSize: 1 })).close();
    sql = postgres(url, { max: 2, onnotice: () => {} });
    fake = await new FakeFeishu().start();
    fake.sendDelayMs = 25;
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    await sql?.end();
    await fake?.close();
    await drop?.();
  });

  async function startSender(): Promise<ChildProcess> {
    const proc = spawn(process.execPath, [tsx, 'test/robustness/support/senderMain.ts'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: url, FAKE_FEISHU_URL: fake.url },
    });
    let out = '';
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (c: Buffer) => c.toString().includes('sender running') && resolve());
      proc.once('exit', (code) => reject(new Error(`the sender exited (${code}): ${out.slice(-1500)}`)));
    });
    return proc;
  }

  async function kill(proc: ChildProcess): Promise<void> {
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(-proc.pid!, 'SIGKILL');
    await gone;
  }

  const waitFor = async (what: string, check: () => Promise<boolean> | boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it(`sends every row, none lost, each shown once thanks to the outbox id as uuid (seed ${seed})`, async () => {
    const random = prng(seed);
    await sql`insert into outbox (kind, channel, chat_id, payload, urgent)
      select 'report_alert', 'feishu', 'oc_chat_' || g, jsonb_build_object('text', jsonb_build_array(jsonb_build_object('text', '报告提醒 #' || g))), true
        from generate_series(1, ${ROWS}) g`;
    const ids = (await sql<{ id: string }[]>`select id::text from outbox order by id`).map((r) => r.id);

    let kills = 0;
    for (let round = 0; round < 2; round++) {
      child = await startSender();
      // Kill once a seeded number of further sends have reached the platform: deliveries are in flight then.
      const target = fake.createCalls + 3 + Math.floor(random() * 8);
      await waitFor('sends before the kill', () => fake.createCalls >= target);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 20)));
      await kill(child);
      kills++;
    }
    const [sentBefore] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'sent'`;
    expect(sentBefore!.n).toBeLessThan(ROWS);

    child = await startSender();
    await waitFor('every row sent', async () => {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where status = 'sent'`;
      return row!.n === ROWS;
    });
    await kill(child);

    const statuses = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from outbox group by status`;
    expect(statuses).toEqual([{ status: 'sent', n: ROWS }]);
    // One message per row on the platform, whatever was resent.
    const uuids = fake.messages.map((m) => m.uuid);
    expect(new Set(uuids).size).toBe(ROWS);
    expect(fake.messages).toHaveLength(ROWS);
    expect(new Set(fake.messages.map((m) => m.receiveId)).size).toBe(ROWS);
    // At least once, and a resend only for what was in flight at a kill (concurrency 4).
    const resent = fake.createCalls - ROWS;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(kills * 4);
    expect(ids).toHaveLength(ROWS);
  }, 90_000);
});
