// The scheduler's benchmark (issue 5): on a throwaway database on the real PostgreSQL server, a county of
// 1,000,000 children, 10,000 caseworkers and 10,000,000 past visits generated in SQL (× BENCH_SCALE), the time to
// compute one day's reminders and all digests; then the outbox sender's delivery rate through the real Telegram
// channel (grammY) against a loopback fake Bot API enforcing 30 messages a second with 429 retry_after.
// `npm run bench` includes it with BENCH_SCHEDULER=1; `npx tsx bench/scheduler.ts` runs it alone. Knobs: BENCH_SCALE,
// BENCH_DELIVERY_MESSAGES, BENCH_SENDER_CONCURRENCY, BENCH_SCHEDULER_PARTS=county,delivery, BENCH_KEEP=1.
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { pino } from 'pino';
import { createTelegramChannel } from '../src/bot/telegram/index.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Db } from '../src/db/client.js';
import { enqueue } from '../src/db/outbox.js';
import { outbox } from '../src/db/schema.js';
import { todayIn } from '../src/domain/dates.js';
import { HttpServer } from '../src/http/server.js';
import { queueDigests } from '../src/scheduler/digest.js';
import { caseworkerShares, dueForReminders, queueReminders, REMINDER_SHARES, renderReminder, type DueChild } from '../src/scheduler/reminders.js';
import { OutboxSender } from '../src/scheduler/sender.js';
import { escalateOverdueVisits } from '../src/scheduler/visitEscalation.js';
import { FakeBotApi } from '../test/telegram/fakeBotApi.js';
import { createThrowawayDatabase } from './lib/pg.js';
import { ServerCpu } from './lib/serverCpu.js';
import { machine, save, table, tidy, type BenchResult } from './lib/result.js';

const TZ = 'Asia/Shanghai';
const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => ms / 1000;

interface Scale {
  factor: number;
  children: number;
  caseworkers: number;
  visits: number;
  townships: number;
}

function scale(): Scale {
  const factor = Number(process.env.BENCH_SCALE ?? 1);
  if (!(factor > 0 && factor <= 1)) throw new Error('BENCH_SCALE must be in (0, 1]');
  return {
    factor,
    children: Math.round(1_000_000 * factor),
    caseworkers: Math.max(1, Math.round(10_000 * factor)),
    visits: Math.round(10_000_000 * factor),
    townships: Math.max(1, Math.round(100 * factor)),
  };
}

/** The county, generated in SQL: one village per caseworker, children spread over them, a year of visits. */
async function generate(url: string, s: Scale, today: string): Promise<void> {
  const pg = postgres(url, { max: 1, onnotice: () => {} });
  const V = s.caseworkers;
  const T = s.townships;
  try {
    await pg.unsafe(`
      insert into areas (code, name, level, parent_code, path) values
        ('99', '压测省', 'province', null, '/99/'), ('9901', '压测市', 'city', '99', '/99/9901/'),
        ('990101', '压测县', 'county', '9901', '/99/9901/990101/');
      insert into areas (code, name, level, parent_code, path)
        select '990101' || lpad(t::text, 3, '0'), '镇' || t, 'township', '990101', '/99/9901/990101/990101' || lpad(t::text, 3, '0') || '/'
        from generate_series(1, ${T}) t;
      insert into areas (code, name, level, parent_code, path)
        select tc || lpad(v::text, 5, '0'), '村' || v, 'village', tc, '/99/9901/990101/' || tc || '/' || tc || lpad(v::text, 5, '0') || '/'
        from (select v, '990101' || lpad((((v - 1) % ${T}) + 1)::text, 3, '0') as tc from generate_series(1, ${V}) v) x;
      -- Caseworker v works village v; then one supervisor per township, one for the county, one admin.
      insert into staff (id, name, role, area_code, created_at) overriding system value
        select v, '社工' || v, 'caseworker', '990101' || lpad((((v - 1) % ${T}) + 1)::text, 3, '0') || lpad(v::text, 5, '0'), now() - interval '1 year'
        from generate_series(1, ${V}) v;
      insert into staff (id, name, role, area_code, created_at) overriding system value
        select ${V} + t, '督导员' || t, 'supervisor', '990101' || lpad(t::text, 3, '0'), now() - interval '1 year' from generate_series(1, ${T}) t;
      insert into staff (id, name, role, area_code, created_at) overriding system value values
        (${V + T + 1}, '县督导员', 'supervisor', '990101', now() - interval '1 year'),
        (${V + T + 2}, '管理员', 'admin', '990101', now() - interval '1 year');
      alter table staff alter column id restart with ${V + T + 3};
      insert into channel_identities (channel, external_id, chat_id, staff_id)
        select 'telegram', (900000000 + id)::text, (900000000 + id)::text, id from staff;
    `);
    log(`  areas and staff: ${V} caseworkers, ${T} townships`);
    // About a fifth of the children are due today or overdue (due dates from 20 days ago to 90 days ahead).
    await pg.unsafe(`
      insert into children (id, name, area_code, risk_level, next_visit_due, last_visit_on, status) overriding system value
        select i, '儿童' || i, '990101' || lpad(((((i - 1) % ${V}) % ${T}) + 1)::text, 3, '0') || lpad((((i - 1) % ${V}) + 1)::text, 5, '0'),
               (array['green','yellow','orange','red'])[1 + (i % 4)],
               '${today}'::date + (floor(random() * 110)::int - 20), '${today}'::date - 30, 'active'
        from generate_series(1, ${s.children}) i;
      alter table children alter column id restart with ${s.children + 1};
      insert into assignments (child_id, staff_id, started_at)
        select i, ((i - 1) % ${V}) + 1, now() - interval '1 year' from generate_series(1, ${s.children}) i;
    `);
    log(`  children and assignments: ${s.children}`);
    // Loading ten million rows into a table with its indexes and checks costs several times more than loading it
    // bare and building them after: set them aside (exactly as the migrations made them) and put them back.
    const constraints = await pg<{ name: string; def: string }[]>`
      select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = 'visits'::regclass and contype in ('u', 'f')`;
    const indexes = await pg<{ name: string; def: string }[]>`
      select indexname as name, indexdef as def from pg_indexes
      where tablename = 'visits' and indexname not in (select conname from pg_constraint where conrelid = 'visits'::regclass)`;
    for (const c of constraints) await pg.unsafe(`alter table visits drop constraint "${c.name}"`);
    for (const i of indexes) await pg.unsafe(`drop index "${i.name}"`);
    const chunk = 1_000_000;
    for (let from = 1; from <= s.visits; from += chunk) {
      const to = Math.min(s.visits, from + chunk - 1);
      await pg.unsafe(`
        insert into visits (ref, child_id, staff_id, visited_on, kind, child_seen, dimensions, risk_before, risk_after, next_visit_on, channel, created_at)
          select 'ZF-B-' || g, c, ((c - 1) % ${V}) + 1, d, 'home', true, '{}'::jsonb,
                 (array['green','yellow','orange','red'])[1 + (g % 4)], (array['green','yellow','orange','red'])[1 + ((g / 7) % 4)],
                 d + 30, 'telegram', (d + time '12:00') at time zone '${TZ}'
          from (select g, ((g - 1) % ${s.children}) + 1 as c, '${today}'::date - 1 - (g % 365) as d
                from generate_series(${from}, ${to}) g) x;
      `);
      log(`  visits: ${to}`);
    }
    for (const i of indexes) await pg.unsafe(i.def);
    for (const c of constraints) await pg.unsafe(`alter table visits add constraint "${c.name}" ${c.def}`);
    log(`  visits' ${indexes.length} indexes and ${constraints.length} constraints rebuilt`);
    await pg.unsafe(`
      insert into reports (ref, area_code, child_description, situations, observed, occurred_when, occurred_where, immediate_danger, police_told, reporter_staff_id, channel, created_at)
        select 'BG-B-' || r, s.area_code, '—', array['abandonment'], '—', '—', '—', false, true, s.id, 'telegram', now() - (r || ' minutes')::interval
        from generate_series(1, ${Math.max(10, Math.round(1000 * s.factor))}) r join staff s on s.id = ((r - 1) % ${V}) + 1;
      analyze;
    `);
  } finally {
    await pg.end();
  }
}

async function deliveryBench(url: string, messages: number): Promise<BenchResult[]> {
  const database = await openDatabase({ databaseUrl: url, poolSize: 10 });
  const fake = await new FakeBotApi().start();
  const logger = pino({ level: 'silent' });
  const http = new HttpServer(logger);
  const config = loadConfig({ TZ_NAME: TZ, QUIET_HOURS: '', TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
  const channel = createTelegramChannel({
    config,
    core: { handle: async () => ({ replies: [], locale: 'zh-CN' }) },
    http,
    logger,
    db: database.db,
  });
  try {
    const { db } = database;
    await db.update(outbox).set({ status: 'cancelled' }).where(eq(outbox.status, 'pending'));
    fake.rateLimit(30, 1);
    const chats = Array.from({ length: messages }, (_, i) => 800_000_000 + i);
    for (const id of chats) fake.user(id, `U${id}`);
    const rows = chats.map((id) => ({
      kind: 'bench',
      staffId: null,
      channel: 'telegram' as const,
      chatId: String(id),
      message: { text: [{ text: `提醒 ${id}` }], buttons: [[{ label: '记录', data: `v.start.${id}` }]] },
      notBefore: new Date(Date.now() - 1000),
    }));
    for (let i = 0; i < rows.length; i += 1000) await enqueue(db, rows.slice(i, i + 1000));
    const sender = new OutboxSender({ db, config, logger, channels: new Map([['telegram', channel]]), clock: () => new Date(), concurrency: Number(process.env.BENCH_SENDER_CONCURRENCY ?? 8) });
    const started = Date.now();
    for (;;) {
      const r = await sender.runOnce();
      if (r.claimed > 0) continue;
      const [left] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(outbox).where(eq(outbox.status, 'pending'));
      if (left!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sends = fake.callsOf('sendMessage');
    const ok = sends.filter((c) => c.status === 200);
    const limited = sends.filter((c) => c.status === 429).length;
    const first = Math.min(...ok.map((c) => c.at));
    const last = Math.max(...ok.map((c) => c.at));
    // A sliding window lets the first 30 go at once, then 30 each second: N messages at exactly the limit span
    // N/30 − 1 seconds from the first arrival to the last. So the rate is N / (span + 1 s).
    const rate = ok.length / (seconds(last - first) + 1);
    const perChat = new Map<string, number>();
    for (const c of ok) perChat.set(String(c.params.chat_id), (perChat.get(String(c.params.chat_id)) ?? 0) + 1);
    const lost = chats.filter((id) => !perChat.has(String(id))).length;
    const twice = [...perChat.values()].filter((n) => n > 1).length;
    log(`  delivered ${ok.length} in ${seconds(Date.now() - started).toFixed(1)} s, ${limited} answered 429, lost ${lost}, twice ${twice}`);
    return [
      { name: 'scheduler: outbox delivery rate (Telegram, fake Bot API at 30/s)', value: rate, unit: 'msg/s', note: `${messages} messages to distinct chats; ${limited} 429s` },
      { name: 'scheduler: delivery as a fraction of the 30/s limit', value: rate / 30, unit: 'of limit', note: 'target ≥ 0.9' },
      { name: 'scheduler: messages lost / sent twice', value: lost + twice, unit: 'messages', note: `lost ${lost}, twice ${twice}` },
    ];
  } finally {
    await channel.stop().catch(() => {});
    await fake.close();
    await database.close();
  }
}

/** The read side of queueReminders: the due children read in the run's parallel shares, grouped and rendered. */
async function computeReminders(db: Db, day: string): Promise<{ children: number; messages: number; shares: number }> {
  const shares = await caseworkerShares(db, REMINDER_SHARES);
  const parts = await Promise.all(shares.map((share) => dueForReminders(db, day, share)));
  const byStaff = new Map<number, DueChild[]>();
  for (const row of parts.flat()) {
    const list = byStaff.get(row.staffId) ?? [];
    list.push(row);
    byStaff.set(row.staffId, list);
  }
  let messages = 0;
  for (const items of byStaff.values()) if (renderReminder('zh-CN', day, items).text.length > 0) messages++;
  return { children: parts.reduce((n, p) => n + p.length, 0), messages, shares: shares.length };
}

export async function runSchedulerBench(): Promise<BenchResult[]> {
  const s = scale();
  const now = new Date();
  const today = todayIn(TZ, now);
  // BENCH_SCHEDULER_PARTS=delivery skips the county (minutes to generate) when only the sender is of interest.
  const parts = (process.env.BENCH_SCHEDULER_PARTS ?? 'county,delivery').split(',');
  const throwaway = await createThrowawayDatabase('cw_sched');
  log(`scheduler benchmark: scale ${s.factor} (${s.children} children, ${s.caseworkers} caseworkers, ${s.visits} visits) on ${throwaway.name}`);
  const results: BenchResult[] = [];
  try {
    // Opening applies the migrations.
    await (await openDatabase({ databaseUrl: throwaway.url, poolSize: 1 })).close();
    if (parts.includes('county')) results.push(...(await countyBench(throwaway.url, s, now, today)));
    if (parts.includes('delivery')) results.push(...(await deliveryBench(throwaway.url, Number(process.env.BENCH_DELIVERY_MESSAGES ?? 900))));
  } finally {
    if (process.env.BENCH_KEEP === '1') log(`  kept ${throwaway.url}`);
    else await throwaway.drop();
  }
  return results;
}

async function countyBench(url: string, s: Scale, now: Date, today: string): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const genStarted = Date.now();
  await generate(url, s, today);
  const genMs = Date.now() - genStarted;
  log(`  generated in ${seconds(genMs).toFixed(0)} s`);
  const database = await openDatabase({ databaseUrl: url, poolSize: 10 });
  const serverCpu = new ServerCpu(url);
  const config = loadConfig({ TZ_NAME: TZ, DATABASE_URL: url });
  // Other work on the machine slows every figure: the load average goes with them.
  const scaleNote = `scale ${s.factor}: ${s.children} children, ${s.caseworkers} caseworkers, ${s.visits} visits; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
  try {
    let t = Date.now();
    const escalated = await escalateOverdueVisits(database.db, config, now);
    const escalationMs = Date.now() - t;
    // Computing the day's reminders (who is due, each message rendered) apart from writing them down.
    t = Date.now();
    const computed = await computeReminders(database.db, today);
    const computeMs = Date.now() - t;
    log(`  computed ${computed.messages} reminder messages (${computed.children} children) in ${seconds(computeMs).toFixed(2)} s`);
    // The queueing's CPU as well as its time: on a shared machine the time follows the others' load, the CPU less so.
    const loadBeforeQueue = loadavg()[0]!;
    const stopServerCpu = await serverCpu.start();
    const botCpu = process.cpuUsage();
    t = Date.now();
    const reminders = await queueReminders(database.db, config, now);
    const remindersMs = Date.now() - t;
    const queueBotCpu = process.cpuUsage(botCpu);
    const queueBotMs = (queueBotCpu.user + queueBotCpu.system) / 1000;
    const queueServerMs = await stopServerCpu();
    const queueLoad = `load average ${loadBeforeQueue.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
    log(
      `  reminders: ${reminders.children} children for ${reminders.caseworkers} caseworkers, ${reminders.messages} messages in ${seconds(remindersMs).toFixed(2)} s (${queueLoad}); ` +
        `CPU ${seconds(queueBotMs).toFixed(2)} s here + ${queueServerMs === undefined ? '?' : seconds(queueServerMs).toFixed(2)} s in PostgreSQL`,
    );
    t = Date.now();
    const digests = await queueDigests(database.db, config, now);
    const digestsMs = Date.now() - t;
    log(`  digests: ${digests.messages} messages in ${seconds(digestsMs).toFixed(2)} s; escalation ${seconds(escalationMs).toFixed(2)} s`);
    results.push(
      { name: "scheduler: one day's reminders computed", value: seconds(computeMs), unit: 's', note: `${computed.children} children due (read in ${computed.shares} parallel shares), ${computed.messages} messages rendered; ${scaleNote}; target < 5 s` },
      { name: "scheduler: one day's reminders queued (logged + outbox)", value: seconds(remindersMs), unit: 's', note: `${reminders.children} reminder_log rows, ${reminders.messages} outbox rows, ${REMINDER_SHARES} parallel shares; ${queueLoad}; target < 5 s` },
      ...(queueServerMs === undefined
        ? []
        : [{ name: "scheduler: one day's reminders queued, CPU (bench process + PostgreSQL)", value: seconds(queueBotMs + queueServerMs), unit: 's CPU', note: `${seconds(queueBotMs).toFixed(2)} s in the bench process (rendering, JSON), ${seconds(queueServerMs).toFixed(2)} s in the database's backends (/proc)` }]),
      { name: 'scheduler: all digests', value: seconds(digestsMs), unit: 's', note: `${digests.messages} digests; ${scaleNote}` },
      { name: 'scheduler: overdue-visit escalation', value: seconds(escalationMs), unit: 's', note: `${escalated.level0} level 0, ${escalated.level1} level 1` },
      { name: 'scheduler: data generation (not a target)', value: seconds(genMs), unit: 's', note: scaleNote },
    );
  } finally {
    await serverCpu.close();
    await database.close();
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runSchedulerBench().then(
    (results) => {
      const tidied = results.map(tidy);
      console.log(table(tidied));
      const out = process.env.BENCH_OUT ?? fileURLToPath(new URL('./results/scheduler.json', import.meta.url));
      save(out, { at: new Date().toISOString(), quick: false, machine: machine(), database: { kind: 'postgres', version: '', where: 'throwaway database on the local server' }, results: tidied });
      log(`saved ${out}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}


