// Runs admin commands in-process against a test database, capturing what the administrator would read, with
// files in a temporary directory.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { AdminIo } from '../../src/admin/context.js';
import { runAdmin } from '../../src/admin/run.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { areas, staff, type Role } from '../../src/db/schema.js';
import { idCheckChar } from '../../src/domain/idNumber.js';

export interface AdminResult {
  code: number;
  out: string;
  err: string;
}

/** `answers`: what the administrator types at the prompts (a pick-list); without them no one can answer. */
export function adminHarness(db: Db, options: { now?: () => Date; env?: Record<string, string>; answers?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cw-admin-'));
  const config = loadConfig({ DATA_DIR: join(dir, 'data'), ...options.env });
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  async function run(...argv: string[]): Promise<AdminResult> {
    const out: string[] = [];
    const err: string[] = [];
    const io: AdminIo = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      readFile: async (p) => readFileSync(p),
      writeFile: async (p, data) => writeFileSync(p, data),
      ...(options.answers ? { ask: async (question: string) => (err.push(question), options.answers!.shift() ?? '') } : {}),
    };
    const code = await runAdmin(argv, { db, dbKind: 'pglite', config, now: options.now ?? (() => new Date()), io });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  return { dir, file, run, config };
}

/** A valid 18-digit ID number (GB 11643 checksum) for a county code, birth date and sequence. */
export function makeIdNumber(county: string, birth: string, sequence: number): string {
  const first17 = `${county}${birth.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** The same number with its check character changed: a typo the checksum catches. */
export function breakChecksum(id: string): string {
  const wrong = id[17] === '1' ? '2' : '1';
  return id.slice(0, 17) + wrong;
}

export const testAreasCsv = `code,name,parent_code
440000,广东省,
440100,广州市,
440103,荔湾区,
440103001000,沙面街道,
440103001001,沙面社区,
440103001002,沙基社区,
440103002,岭南街道,
440103002001,岭南社区,
`;

export async function addStaff(db: Db, name: string, role: Role, areaCode: string): Promise<number> {
  const [row] = await db.insert(staff).values({ name, role, areaCode }).returning({ id: staff.id });
  return row!.id;
}

export async function areaPath(db: Db, code: string): Promise<string> {
  const [row] = await db.select({ path: areas.path }).from(areas).where(eq(areas.code, code));
  return row!.path;
}

/** A stand-in for the Telegram Bot API on loopback: answers getMe like the real one. */
export async function fakeBotApi(): Promise<{ root: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url?.endsWith('/getMe')) res.end(JSON.stringify({ ok: true, result: { id: 42, is_bot: true, first_name: 'Caseworker', username: 'county_caseworker_bot' } }));
    else res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { root: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
