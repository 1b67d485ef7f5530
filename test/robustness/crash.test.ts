// Crash safety: the service, a child process on a throwaway PostgreSQL database, is killed with SIGKILL at seeded
// random moments while a caseworker logs a visit and files a report through the local chat API. The client retries
// each lost action with the same id, as the page does. At the end every answer the service acknowledged is stored,
// the visit and the report exist exactly once (one of the kills always hits "danger = yes", which opens the
// report), exactly one preliminary alert is queued, every alert once, and no draft is left open.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutMessage } from '../../src/bot/message.js';
import { createServerDatabase, serverUrl } from '../support/db.js';
import { freePort, ServiceProcess } from './support/service.js';
import { buttonData, messagesOf, prng, textOf, type Step } from './support/localClient.js';

const seed = Number(process.env.ROBUSTNESS_SEED ?? 20261123);

const visit: Step[] = [{ say: '/visit' }, { say: '胡婷' }, { press: '今天' }, { press: '到校' }, { press: '见到本人' }, { press: '情况无变化' }, { press: '确认提交' }];
const report: Step[] = [
  { say: '/report' }, { press: '是，紧急' }, { press: '已报警，继续' }, { say: '刘洋' }, { press: '多处损伤' }, { press: '被遗弃' }, { press: '完成' },
  { say: '手臂和背部多处淤青' }, { say: '今天上午' }, { say: '柳树村2组刘家' }, { say: 'JJ20261123-0042' }, { press: '确认提交' },
];

describe.runIf(serverUrl)('crash safety (SIGKILL mid-conversation, real PostgreSQL)', () => {
  let dropDb: () => Promise<void>;
  let sql: postgres.Sql;
  let service: ServiceProcess;
  let staffId = 0;

  beforeAll(async () => {
    const created = await createServerDatabase();
    dropDb = created.drop;
    service = new ServiceProcess(await freePort(), { DATABASE_URL: created.url, SEED_DEMO: '1' });
    await service.start();
    sql = postgres(created.url, { max: 2, onnotice: () => {} });
    const [row] = await sql<{ id: number }[]>`select id from staff where name = '李主任'`;
    staffId = row!.id;
    await service.signIn(staffId);
  }, 60_000);

  afterAll(async () => {
    await service?.kill();
    await sql?.end();
    await dropDb?.();
  });

  it(`loses no acknowledged answer and stores the visit and the report once (seed ${seed})`, async () => {
    const random = prng(seed);
    let shown: OutMessage[] = [];
    let kills = 0;
    const acknowledged: string[] = [];

    const all = [...visit, ...report];
    // Three actions, chosen by the seed, are hit by a kill (a start costs seconds: three keep the suite short).
    // One of them is always "danger = yes", which opens the report and queues its preliminary alert.
    const doomed = new Set<number>([visit.length + 1]);
    while (doomed.size < 3) doomed.add(Math.floor(random() * all.length));

    /** Sends one action, killing the service at a random moment if it is doomed; retries until answered. */
    async function act(step: Step, index: number): Promise<void> {
      const id = `crash-${seed}-${index}`;
      const body: Record<string, unknown> = { id };
      if ('say' in step) body.text = step.say;
      else {
        const data = buttonData(shown, step.press);
        if (!data) throw new Error(`no button "${step.press}" in: ${shown.map((m) => (m.buttons ?? []).flat().map((b) => b.label).join('|')).join(' / ')}`);
        body.data = data;
      }
      let killNow = doomed.has(index);
      for (let attempt = 0; attempt < 5; attempt++) {
        const pending = service.send(body);
        if (killNow) {
          // Anywhere from before the request arrives to after the answer was committed.
          await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
          await service.kill();
          kills++;
        }
        const answer = await pending;
        if (killNow || !answer || answer.status !== 200) {
          killNow = false;
          if (!answer || answer.status !== 200) {
            await service.kill();
            await service.start();
            continue;
          }
        }
        if (!answer) continue;
        acknowledged.push(id);
        if (answer.json.duplicate) {
          // Applied before the crash, its answer lost: ask for the current question again (a fresh id).
          const again = await service.send({ id: `${id}-resume`, data: 'm.resume' });
          expect(again?.status).toBe(200);
          shown = messagesOf(again!.json);
        } else {
          shown = messagesOf(answer.json);
        }
        return;
      }
      throw new Error(`action ${index} never got through`);
    }

    for (const [i, step] of all.entries()) await act(step, i);
    if (service.output.includes('FATAL')) throw new Error(service.output);

    expect(kills).toBe(3);
    const stored = await sql<{ key: string }[]>`select key from processed_inbound where key like ${`local:crash-${seed}-%`}`;
    const storedKeys = new Set(stored.map((r) => r.key));
    for (const id of acknowledged.filter((a) => !a.endsWith('-resume'))) expect(storedKeys.has(`local:${id}`)).toBe(true);

    const visits = await sql<{ ref: string; kind: string; same_as_last: boolean; name: string }[]>`
      select v.ref, v.kind, v.same_as_last, c.name from visits v join children c on c.id = v.child_id
       where v.staff_id = ${staffId} and v.ref not like 'ZF-DEMO-%'`;
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ kind: 'school', same_as_last: true, name: '胡婷' });
    const reports = await sql<{ id: number; ref: string; situations: string[]; receipt: string; status: string; alerts: number }[]>`
      select r.id, r.ref, r.situations, r.police_receipt as receipt, r.status,
             (select count(*)::int from outbox o where o.dedupe_key like 'report:' || r.id || '%') as alerts
        from reports r where r.reporter_staff_id = ${staffId}`;
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ situations: ['injuries_violence', 'abandonment'], receipt: 'JJ20261123-0042', status: 'open' });
    expect(reports[0]!.alerts).toBeGreaterThanOrEqual(1);
    // Exactly one preliminary alert (opened once however often "danger = yes" was retried), then the full report.
    const [preliminary] = await sql<{ n: number }[]>`select count(*)::int as n from outbox where dedupe_key like ${`report:${reports[0]!.id}:preliminary:%`}`;
    expect(preliminary!.n).toBe(1);
    const [alerts] = await sql<{ n: number; keys: number }[]>`select count(*)::int as n, count(distinct dedupe_key)::int as keys from outbox where kind = 'report.alert'`;
    expect(alerts!.n).toBe(alerts!.keys);
    const active = await sql<{ n: number }[]>`select count(*)::int as n from conversations where staff_id = ${staffId} and status = 'active'`;
    expect(active[0]!.n).toBe(0);
    expect(textOf({ replies: shown })).toContain(reports[0]!.ref);
  }, 120_000);
});
