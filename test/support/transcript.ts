// Conversations as transcripts: a readable file of turns that a domain expert can review, run by one harness
// against every channel through a ChatDriver.
//
//   # comment
//   as 李主任                      who speaks next (a demo staff member)
//   > /visit                       the user types
//   > [今天]                       the user presses the newest button whose label contains 今天
//   < 走访日期                     some bot message since the last action contains this text
//   <! 13800001000                 no bot message since the last action contains this text
//   inbox                          the speaker reads what reached them since they last looked (alerts, notices)
//   wait 31m                       time passes (m or h); the scheduler escalates unacknowledged reports
//   roster 姓名,村(社区)代码,…       consecutive roster lines are a roster table (header first), imported as the
//   roster 赵小雨,990101001001,…     admin's import-roster --apply does it, on the run's day; no row may be rejected
//   ? select count(*) from visits  a SQL query whose first column of the first row …
//   = 1                            … must read exactly this
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { loadPolicy } from '../../src/db/policy.js';
import { todayIn } from '../../src/domain/dates.js';
import { applyRosterImport, planRosterImport } from '../../src/roster/import.js';
import { readTable } from '../../src/roster/table.js';
import { escalateReports } from '../../src/scheduler/reports.js';
import type { TestClock } from './world.js';

export interface Rendered {
  text: string;
  buttons: string[];
}

export interface ChatDriver {
  say(speaker: string, text: string): Promise<Rendered[]>;
  press(speaker: string, label: string): Promise<Rendered[]>;
  /** Delivers the speaker's outbox messages to their chat and returns them as shown. */
  inbox(speaker: string): Promise<Rendered[]>;
}

export type Turn =
  | { kind: 'as'; speaker: string; line: number }
  | { kind: 'say'; text: string; line: number }
  | { kind: 'press'; label: string; line: number }
  | { kind: 'inbox'; line: number }
  | { kind: 'wait'; ms: number; line: number }
  | { kind: 'roster'; csv: string[]; line: number }
  | { kind: 'expect'; text: string; line: number }
  | { kind: 'absent'; text: string; line: number }
  | { kind: 'query'; sql: string; expected: string; line: number };

export function parseTranscript(source: string): Turn[] {
  const turns: Turn[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trimEnd();
    const line = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const wait = /^wait (\d+)([mh])$/.exec(raw);
    if (raw === 'inbox') turns.push({ kind: 'inbox', line });
    else if (wait) turns.push({ kind: 'wait', ms: Number(wait[1]) * (wait[2] === 'h' ? 3_600_000 : 60_000), line });
    else if (raw.startsWith('roster ')) {
      const previous = turns.at(-1);
      if (previous?.kind === 'roster' && previous.line + previous.csv.length === line) previous.csv.push(raw.slice(7));
      else turns.push({ kind: 'roster', csv: [raw.slice(7)], line });
    } else if (raw.startsWith('as ')) turns.push({ kind: 'as', speaker: raw.slice(3).trim(), line });
    else if (raw.startsWith('> [') && raw.endsWith(']')) turns.push({ kind: 'press', label: raw.slice(3, -1), line });
    else if (raw === '>') turns.push({ kind: 'say', text: '', line });
    else if (raw.startsWith('> ')) turns.push({ kind: 'say', text: raw.slice(2), line });
    else if (raw.startsWith('<! ')) turns.push({ kind: 'absent', text: raw.slice(3), line });
    else if (raw.startsWith('< ')) turns.push({ kind: 'expect', text: raw.slice(2), line });
    else if (raw.startsWith('? ')) {
      const next = lines[i + 1]?.trim() ?? '';
      if (!next.startsWith('= ')) throw new Error(`line ${line}: a query must be followed by "= expected"`);
      turns.push({ kind: 'query', sql: raw.slice(2), expected: next.slice(2), line });
      i++;
    } else throw new Error(`line ${line}: cannot read "${raw}"`);
  }
  return turns;
}

export function loadTranscript(path: string): Turn[] {
  return parseTranscript(readFileSync(path, 'utf8'));
}

const show = (messages: Rendered[]) =>
  messages.map((m) => `  | ${m.text.replace(/\n/g, '\n  | ')}${m.buttons.length ? `\n  | ${m.buttons.map((b) => `[${b}]`).join(' ')}` : ''}`).join('\n');

/** Runs the turns; throws with the line number and what the bot said when a turn does not hold. */
export async function runTranscript(turns: Turn[], driver: ChatDriver, db: Db, clock?: TestClock): Promise<void> {
  let speaker = '';
  let since: Rendered[] = [];
  for (const turn of turns) {
    switch (turn.kind) {
      case 'as':
        speaker = turn.speaker;
        break;
      case 'say':
        since = await driver.say(speaker, turn.text);
        break;
      case 'press':
        since = await driver.press(speaker, turn.label);
        break;
      case 'inbox':
        since = await driver.inbox(speaker);
        break;
      case 'wait':
        if (!clock) throw new Error(`line ${turn.line}: this run has no clock to advance`);
        clock.advance(turn.ms);
        await escalateReports(db, loadConfig({}), clock.now());
        since = [];
        break;
      case 'roster': {
        if (!clock) throw new Error(`line ${turn.line}: this run has no clock to date the import`);
        const table = await readTable(new TextEncoder().encode(`${turn.csv.join('\n')}\n`), 'csv');
        const today = todayIn(loadConfig({}).TZ_NAME, clock.now());
        const plan = await db.transaction(async (tx) => {
          const planned = await planRosterImport(tx, table, { today, policy: await loadPolicy(tx) });
          await applyRosterImport(tx, planned, clock.now());
          return planned;
        });
        const rejected = plan.rows.filter((r) => r.outcome === 'rejected');
        if (rejected.length > 0) throw new Error(`line ${turn.line}: roster rows rejected: ${JSON.stringify(rejected)}`);
        since = [];
        break;
      }
      case 'expect':
        if (!since.some((m) => m.text.includes(turn.text) || m.buttons.some((b) => b.includes(turn.text)))) {
          throw new Error(`line ${turn.line}: expected the bot to say "${turn.text}"; it said:\n${show(since)}`);
        }
        break;
      case 'absent':
        if (since.some((m) => m.text.includes(turn.text))) throw new Error(`line ${turn.line}: the bot must not say "${turn.text}"; it said:\n${show(since)}`);
        break;
      case 'query': {
        const result = (await db.execute(sql.raw(turn.sql))) as unknown as { rows?: Record<string, unknown>[] } | Record<string, unknown>[];
        const rows = Array.isArray(result) ? result : (result.rows ?? []);
        const value = rows[0] ? String(Object.values(rows[0])[0]) : '(no rows)';
        if (value !== turn.expected) throw new Error(`line ${turn.line}: ${turn.sql}\n  expected ${turn.expected}, got ${value}`);
        break;
      }
    }
  }
}
