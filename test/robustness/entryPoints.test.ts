// Every entry point reaches every safety step (issue 10): for every flow and every way the runtime offers to start
// it — the menu button, the command, a child's file (🚨 and 记录走访, also the data of a reminder's record button),
// and the same from inside another draft (switch) — a staff member answering with arbitrary valid choices
// (fast-check) reaches the end, is asked every question on the flow's path before the preset ones are taken as
// given (a report's immediate-danger question above all), and the record confirmed is stored and well-formed.
import { and, desc, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotCore } from '../../src/bot/core.js';
import type { Inbound } from '../../src/bot/inbound.js';
import { richToPlain, type OutMessage } from '../../src/bot/message.js';
import type { Outcome } from '../../src/bot/outcome.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { assignments, auditLog, children, conversations, reportEvents, reports, riskChanges, visits } from '../../src/db/schema.js';
import { parseQuestionData } from '../../src/flows/buttons.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { registerReportButtons } from '../../src/flows/reportButtons.js';
import type { Flow } from '../../src/flows/types.js';
import { storedRegistration, storedReport, storedVisit } from '../support/records.js';
import { demoWorld, TestClock, type DemoWorld } from '../support/world.js';

const runs = Number(process.env.ROBUSTNESS_RUNS ?? 4);
const flows = defaultFlows();
/** Texts a caseworker might type; every text question accepts at least one of them. */
const typed = ['咳嗽一周，奶奶没带去看病', '王小红', '2016-03-02', '13800001234', '今天上午', '柳树村2组刘家', 'JJ20261123-0042', '昨天'];

type Speaker = '李主任' | '赵督导员';
interface EntryPoint {
  name: string;
  flow: string;
  speaker: Speaker;
  /** Sends what starts the flow; returns the child given up front, if any. */
  begin(run: Run): Promise<number | undefined>;
}

/** One staff member's conversation as the tests drive it: what was shown, which steps were asked. */
class Run {
  shown: OutMessage[] = [];
  readonly asked: string[] = [];
  private n = 0;
  constructor(
    readonly core: BotCore,
    readonly staffId: number,
    private readonly tape: number[],
  ) {}

  pick(max: number): number {
    return max <= 0 ? 0 : (this.tape[this.n++ % this.tape.length] ?? 0) % max;
  }

  async send(event: Inbound['event']): Promise<Outcome> {
    const user = `staff:${this.staffId}`;
    const outcome = await this.core.handle({ channel: 'local', id: `e-${Math.random().toString(36).slice(2)}`, userId: user, chatId: user, event });
    this.shown = outcome.resolved ? [outcome.resolved, ...outcome.replies] : outcome.replies;
    return outcome;
  }

  buttons(): { label: string; data: string }[] {
    return this.shown.flatMap((m) => (m.buttons ?? []).flat());
  }

  async press(match: (label: string, data: string) => boolean, what: string): Promise<void> {
    const button = this.buttons().find((b) => match(b.label, b.data));
    if (!button) throw new Error(`no button ${what} in: ${this.text()}`);
    await this.send({ kind: 'button', data: button.data });
  }

  text(): string {
    return this.shown.map((m) => `${richToPlain(m.text)} ${(m.buttons ?? []).flat().map((b) => `[${b.label}]`).join('')}`).join(' | ');
  }
}

const caseworkerMay = (flow: Flow) => !flow.roles || flow.roles.includes('caseworker');

describe('every entry point reaches every step (fast-check, PGlite)', () => {
  let database: Database;
  let world: DemoWorld;
  let core: BotCore;
  const failures: string[] = [];
  const clock = new TestClock();

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    world = await demoWorld(database.db);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) failures.push(line);
        done();
      },
    });
    core = new BotCore({ db: database.db, config: loadConfig({}), logger: pino({ level: 'error' }, sink), flows, clock: clock.now, rateLimit: { burst: 1e6, perSecond: 1e6 } });
    registerReportButtons(core);
  }, 60_000);

  afterAll(() => database?.close());

  async function activeChildOf(speaker: Speaker, pick: number): Promise<number> {
    const rows = await database.db
      .select({ id: children.id })
      .from(children)
      .innerJoin(assignments, and(eq(assignments.childId, children.id), sql`${assignments.endedAt} is null`))
      .where(and(eq(assignments.staffId, world.staffId(speaker)), eq(children.status, 'active')))
      .orderBy(children.id);
    return rows[pick % rows.length]!.id;
  }

  let pendingCount = 0;
  /** A child this caseworker registered, still awaiting a supervisor's approval. */
  async function pendingChild(): Promise<number> {
    const [row] = await database.db
      .insert(children)
      .values({ name: `待审${String.fromCodePoint(0x4e00 + ++pendingCount)}`, sex: 'female', birthDate: '2017-05-01', categories: ['left_behind'], areaCode: '990101001001', status: 'pending', registeredBy: world.staffId('李主任') })
      .returning({ id: children.id });
    return row!.id;
  }

  const fileButtons = { '🚨': 'r.start.', visit: 'v.start.', '⬇️': 'k.low.' } as const;
  const fromFile = (button: keyof typeof fileButtons, child: (run: Run) => Promise<number>) => async (run: Run) => {
    const id = await child(run);
    const [row] = await database.db.select({ name: children.name }).from(children).where(eq(children.id, id));
    await run.send({ kind: 'text', text: '/status' });
    await run.send({ kind: 'text', text: row!.name });
    // Names repeat (the runs register children too): among several found, the one meant.
    if (!run.buttons().some((b) => b.data.endsWith(`.start.${id}`))) await run.press((_l, data) => parseQuestionData(data)?.op === `c${id}`, `child ${id} among those found`);
    await run.press((_l, data) => data === `${fileButtons[button]}${id}`, `${button} on the file of ${row!.name}`);
    return id;
  };
  /** One of 李主任's children, raised to red for the supervisor to lower. */
  async function redChild(run: Run): Promise<number> {
    const id = await activeChildOf('李主任', run.pick(100));
    await database.db.update(children).set({ riskLevel: 'red' }).where(eq(children.id, id));
    return id;
  }

  let reportCount = 0;
  /** A report 李主任 filed on one of their children, for the supervisor to handle. */
  async function filedReport(run: Run, childOf: (run: Run) => Promise<number> = (r) => activeChildOf('李主任', r.pick(100))): Promise<number> {
    const child = await childOf(run);
    const [row] = await database.db
      .insert(reports)
      .values({ ref: `BG-T-${++reportCount}`, childId: child, areaCode: '990101001001', situations: ['abandonment'], observed: '独自在家', occurredWhen: '今天', occurredWhere: '家中', immediateDanger: run.pick(2) === 0, policeTold: false, reporterStaffId: world.staffId('李主任'), channel: 'local' })
      .returning({ id: reports.id });
    return row!.id;
  }
  /** A handling form started from a report's card, as the supervisor does. */
  const fromReportOf = (childOf: ((run: Run) => Promise<number>) | undefined, verb: string) => async (run: Run) => {
    const id = await filedReport(run, childOf);
    await run.send({ kind: 'button', data: `r.open.${id}` });
    await run.press((_l, data) => data === `r.${verb}.${id}`, `r.${verb} on the card of report ${id}`);
    return id;
  };
  const fromReport = (verb: string) => fromReportOf(undefined, verb);

  function entryPoints(): EntryPoint[] {
    const list: EntryPoint[] = [];
    for (const flow of flows.values()) {
      // A report's handling forms (report-action …) are not commands: only the report's card starts them (below).
      if (!/^[a-z_]+$/.test(flow.name)) continue;
      const speaker: Speaker = caseworkerMay(flow) ? '李主任' : '赵督导员';
      list.push({ name: `/${flow.name}`, flow: flow.name, speaker, begin: async (run) => void (await run.send({ kind: 'text', text: `/${flow.name}` })) });
      list.push({
        name: `menu → ${flow.name}`,
        flow: flow.name,
        speaker,
        begin: async (run) => {
          await run.send({ kind: 'text', text: '/menu' });
          await run.press((_l, data) => data === `m.${flow.name}`, `menu ${flow.name}`);
          return undefined;
        },
      });
    }
    const active = (run: Run) => activeChildOf('李主任', run.pick(100));
    list.push(
      { name: 'report card ➕ (r.act)', flow: 'report-action', speaker: '赵督导员', begin: fromReport('act') },
      { name: 'report card 📅 (r.fu)', flow: 'report-followup', speaker: '赵督导员', begin: fromReport('fu') },
      { name: 'report card ☑️ (r.close)', flow: 'report-close', speaker: '赵督导员', begin: fromReport('close') },
      {
        name: 'report card ⬇️ (r.risk)',
        flow: 'risk-lower',
        speaker: '赵督导员',
        begin: async (run) => {
          const report = await fromReportOf(redChild, 'risk')(run);
          const [row] = await database.db.select({ child: reports.childId }).from(reports).where(eq(reports.id, report));
          return row!.child!;
        },
      },
      { name: 'file ⬇️ (k.low)', flow: 'risk-lower', speaker: '赵督导员', begin: fromFile('⬇️', redChild) },
    );
    list.push(
      { name: 'file 🚨 (r.start)', flow: 'report', speaker: '李主任', begin: fromFile('🚨', active) },
      { name: 'file 🚨 of a child pending approval', flow: 'report', speaker: '李主任', begin: fromFile('🚨', () => pendingChild()) },
      { name: 'file 记录走访 (v.start, as a reminder’s record button)', flow: 'visit', speaker: '李主任', begin: fromFile('visit', active) },
      {
        name: 'r.start from inside a visit draft (switch, discard)',
        flow: 'report',
        speaker: '李主任',
        begin: async (run) => {
          await run.send({ kind: 'text', text: '/visit' });
          const id = await active(run);
          await run.send({ kind: 'button', data: `r.start.${id}` });
          await run.press((_l, data) => data.endsWith('.z'), 'discard the draft');
          return id;
        },
      },
      {
        name: 'v.start from inside a report draft (switch, discard)',
        flow: 'visit',
        speaker: '李主任',
        begin: async (run) => {
          await run.send({ kind: 'text', text: '/report' });
          const id = await active(run);
          await run.send({ kind: 'button', data: `v.start.${id}` });
          await run.press((_l, data) => data.endsWith('.z'), 'discard the draft');
          return id;
        },
      },
    );
    return list;
  }

  /** Answers whatever is asked with a valid choice picked by the tape, until the conversation ends. */
  async function answerToTheEnd(run: Run, flow: Flow): Promise<void> {
    const attempts = new Map<string, number>();
    for (let action = 0; action < 150; action++) {
      const [conv] = await database.db.select().from(conversations).where(and(eq(conversations.staffId, run.staffId), eq(conversations.status, 'active')));
      if (!conv) return;
      expect(conv.flow, run.text()).toBe(flow.name);
      // The buttons of the question as it stands now.
      const current = run.buttons().filter((b) => parseQuestionData(b.data)?.version === conv.version);
      const ops = current.map((b) => ({ ...b, op: parseQuestionData(b.data)!.op }));
      const press = (op: { data: string }) => run.send({ kind: 'button', data: op.data });
      const some = (re: RegExp) => ops.filter((o) => re.test(o.op));
      if (run.asked[run.asked.length - 1] !== conv.step) run.asked.push(conv.step);
      if (conv.step === '~confirm') {
        await press(some(/^y$/)[0]!);
        continue;
      }
      const step = flow.steps.find((s) => s.id === conv.step);
      if (!step) throw new Error(`${flow.name} stopped at ${conv.step}: ${run.text()}`);
      const skip = step.optional && run.pick(4) === 0 ? some(/^s$/) : [];
      if (skip.length) {
        await press(skip[0]!);
        continue;
      }
      switch (step.kind) {
        case 'choice':
        case 'child': {
          const options = some(/^(\d+|c\d+|u)$/);
          if (options.length === 0) throw new Error(`nothing to choose at ${flow.name}/${step.id}: ${run.text()}`);
          await press(options[run.pick(options.length)]!);
          break;
        }
        case 'multi': {
          // Each toggle re-asks the question with new buttons: the next toggle is taken from those.
          const toggles = some(/^t\d+$/).map((t) => t.op);
          const n = 1 + run.pick(Math.min(3, toggles.length));
          for (const op of toggles.slice(0, n)) await run.press((_l, data) => parseQuestionData(data)?.op === op, `toggle ${op}`);
          await run.press((_l, data) => parseQuestionData(data)?.op === 'd', 'done');
          break;
        }
        case 'attachments':
          if (run.pick(2) === 0) await run.send({ kind: 'location', latitude: 31.2, longitude: 121.5 });
          await run.press((_l, data) => parseQuestionData(data)?.op === 'd', 'done');
          break;
        case 'text': {
          const shortcuts = some(/^\d+$/);
          // Once every typed text was refused here, a person takes a button (a tape could otherwise never pick one).
          const triedAll = (attempts.get(step.id) ?? 0) >= typed.length;
          if (shortcuts.length && (run.pick(2) === 0 || triedAll)) {
            await press(shortcuts[run.pick(shortcuts.length)]!);
            break;
          }
          // A refused text is typed again differently, as a person would after reading the message.
          const tried = attempts.get(step.id) ?? run.pick(typed.length);
          attempts.set(step.id, tried + 1);
          await run.send({ kind: 'text', text: typed[tried % typed.length]! });
          break;
        }
      }
    }
    throw new Error(`${flow.name} did not end: ${run.text()}`);
  }

  async function newestId(table: typeof visits | typeof reports): Promise<number> {
    const [row] = await database.db.select({ id: table.id }).from(table).orderBy(desc(table.id)).limit(1);
    return row?.id ?? 0;
  }

  /** The record the flow confirmed, checked against what that flow stores. */
  async function checkRecord(flow: string, speaker: Speaker, preset: number | undefined, before: { visit: number; report: number; child: number }, run: Run): Promise<void> {
    const staffId = world.staffId(speaker);
    const said = run.text();
    expect(said).not.toContain('系统暂时无法');
    switch (flow) {
      case 'visit': {
        const rows = await database.db.select().from(visits).where(and(eq(visits.staffId, staffId), sql`${visits.id} > ${before.visit}`));
        expect(rows, said).toHaveLength(1);
        expect(storedVisit.safeParse(rows[0]).error).toBeUndefined();
        if (preset !== undefined) expect(rows[0]!.childId).toBe(preset);
        expect(said).toContain(rows[0]!.ref);
        break;
      }
      case 'report': {
        const rows = await database.db.select().from(reports).where(and(eq(reports.reporterStaffId, staffId), sql`${reports.id} > ${before.report}`));
        expect(rows, said).toHaveLength(1);
        expect(storedReport.safeParse(rows[0]).error).toBeUndefined();
        expect(rows[0]!.status, 'filed, not left a draft').toBe('open');
        if (preset !== undefined) expect(rows[0]!.childId).toBe(preset);
        // Safety first on every path: the danger question, and the 110 guidance when in danger.
        expect(run.asked[0]).toBe('danger');
        if (rows[0]!.immediateDanger) expect(run.asked).toContain('guidance');
        expect(said).toContain(rows[0]!.ref);
        break;
      }
      case 'register': {
        const rows = await database.db.select().from(children).where(and(eq(children.registeredBy, staffId), sql`${children.id} > ${before.child}`, sql`${children.name} not like '待审%'`));
        expect(rows, said).toHaveLength(1);
        expect(storedRegistration.safeParse(rows[0]).error).toBeUndefined();
        break;
      }
      case 'status': {
        const [read] = await database.db.select().from(auditLog).where(and(eq(auditLog.actorStaffId, staffId), eq(auditLog.action, 'child.read'))).orderBy(desc(auditLog.id)).limit(1);
        expect(read, said).toBeDefined();
        break;
      }
      case 'report-action':
      case 'report-followup':
      case 'report-close': {
        const kind = ({ 'report-action': 'action', 'report-followup': 'followup', 'report-close': 'closed' } as Record<string, string>)[flow]!;
        const steps = await database.db.select().from(reportEvents).where(and(eq(reportEvents.reportId, preset!), eq(reportEvents.kind, kind), eq(reportEvents.staffId, staffId)));
        expect(steps, said).toHaveLength(1);
        break;
      }
      case 'risk-lower': {
        // The child's level went down, with the reason given, by the supervisor; the file said so.
        const [change] = await database.db.select().from(riskChanges).where(eq(riskChanges.childId, preset!)).orderBy(desc(riskChanges.id)).limit(1);
        expect(change, said).toMatchObject({ from: 'red', staffId });
        expect(change!.to).not.toBe('red');
        expect(change!.reason.length).toBeGreaterThan(0);
        expect(said).toContain('下调');
        break;
      }
      default:
        // Supervisors' lists and decisions (/approve, /overdue): they answer; nothing is left half-done.
        expect(run.shown.length, said).toBeGreaterThan(0);
    }
  }

  it.each(entryPoints().map((e) => [e.name, e] as const))('%s', async (_name, entry) => {
    const flow = flows.get(entry.flow)!;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(1000), { minLength: 8, maxLength: 40 }), async (tape) => {
        const staffId = world.staffId(entry.speaker);
        // Each run starts with no draft, as a new day would.
        await database.db.update(conversations).set({ status: 'cancelled' }).where(and(eq(conversations.staffId, staffId), eq(conversations.status, 'active')));
        const before = { visit: await newestId(visits), report: await newestId(reports), child: (await database.db.select({ n: sql<number>`coalesce(max(${children.id}), 0)::int` }).from(children))[0]!.n };
        failures.length = 0;
        const run = new Run(core, staffId, tape);
        const preset = await entry.begin(run);
        await answerToTheEnd(run, flow);
        await checkRecord(entry.flow, entry.speaker, preset, before, run);
        expect(failures, failures.join('\n')).toEqual([]);
      }),
      { numRuns: runs, seed: process.env.ROBUSTNESS_SEED ? Number(process.env.ROBUSTNESS_SEED) : undefined, endOnFailure: true },
    );
  }, 120_000);

  it('offers an entry point for every flow the bot has', () => {
    const covered = new Set(entryPoints().map((e) => e.flow));
    for (const name of flows.keys()) expect(covered.has(name), name).toBe(true);
  });
});
