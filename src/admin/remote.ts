// The admin CLI while the service is running on the embedded database: PGlite is one process per data
// directory, so the CLI hands its command to the service and prints what comes back. The service answers admin
// requests on a Unix socket in the data directory (<DATA_DIR>/admin.sock, 0600 inside a 0700 directory), never on
// its public port: only this machine's service user (and root) can connect, whatever proxy sits in front of the
// port. The token in <DATA_DIR>/admin.token is still required. Files travel inside the request and the response,
// so paths mean what they mean in the administrator's shell.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { HttpError, json, jsonBody, type HttpRequest, type HttpServer } from '../http/server.js';
import { makePrivateDir, writePrivateFile } from '../privateFiles.js';
import { adminText, type AdminKey } from '../i18n/sections/admin.js';
import type { Locale, Params } from '../i18n/translator.js';
import type { AdminIo } from './context.js';

export const ADMIN_TOKEN_FILE = 'admin.token';
export const ADMIN_SOCKET_FILE = 'admin.sock';

export const adminSocketPath = (dataDir: string) => join(dataDir, ADMIN_SOCKET_FILE);
const MAX_BODY = 48 * 1024 * 1024;

export interface AdminRouteDeps {
  db: Db;
  dbKind: 'pglite' | 'postgres';
  config: Config;
  logger: Logger;
  now?: () => Date;
}

const requestSchema = z.object({
  argv: z.array(z.string().max(4096)).max(100),
  files: z.record(z.string().max(4096), z.string()).default({}),
});

const responseSchema = z.object({
  exitCode: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
  files: z.record(z.string(), z.string()).default({}),
});

/**
 * Registers POST /admin/run on the admin server (the socket, never the public port) and writes the token the CLI
 * needs into the data directory (0600). ADMIN_TOKEN fixes the token; otherwise each start makes a new one.
 * `requireToken` guards the admin server's other routes the same way.
 */
export function registerAdminRoute(http: HttpServer, deps: AdminRouteDeps): { token: string; requireToken: (req: HttpRequest) => void } {
  const token = deps.config.ADMIN_TOKEN ?? randomBytes(24).toString('hex');
  makePrivateDir(deps.config.DATA_DIR);
  writePrivateFile(join(deps.config.DATA_DIR, ADMIN_TOKEN_FILE), token);
  const requireToken = (req: HttpRequest) => {
    if (!sameToken(req.headers['x-admin-token'], token)) throw new HttpError(401, 'wrong or missing x-admin-token');
  };
  // One admin command at a time: they are rare, and an import must not interleave with another.
  let queue: Promise<unknown> = Promise.resolve();
  http.route(
    'POST',
    '/admin/run',
    async (req) => {
      requireToken(req);
      const parsed = requestSchema.safeParse(jsonBody(req));
      if (!parsed.success) throw new HttpError(400, 'expected {argv: string[], files?: {path: base64}}');
      const { argv, files } = parsed.data;
      const run = queue.then(() => execute(argv, files, deps));
      queue = run.catch(() => undefined);
      const result = await run;
      deps.logger.info({ command: argv[0], exitCode: result.exitCode }, 'admin command');
      return json(200, result);
    },
    { maxBody: MAX_BODY },
  );
  return { token, requireToken };
}

function sameToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function execute(argv: string[], files: Record<string, string>, deps: AdminRouteDeps) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const written: Record<string, string> = {};
  const io: AdminIo = {
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    readFile: async (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error(`${path}: no such file`), { code: 'ENOENT' });
      return Buffer.from(content, 'base64');
    },
    writeFile: async (path, data) => {
      written[path] = Buffer.from(data).toString('base64');
    },
  };
  // The verbs (roster import and export, invite sheets with their QR codes, CSV) load on the first command: a
  // service may run for weeks without one, and they were a fifth of the modules read at start-up.
  const { runAdmin } = await import('./run.js');
  const exitCode = await runAdmin(argv, { db: deps.db, dbKind: deps.dbKind, config: deps.config, now: deps.now ?? (() => new Date()), io });
  return { exitCode, stdout: joinLines(stdout), stderr: joinLines(stderr), files: written };
}

const joinLines = (lines: string[]) => (lines.length ? lines.join('\n') + '\n' : '');

/** One request to the admin socket; the body back as text. */
export function adminRequest(
  socketPath: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The terminal side: the files named in argv go along; the files the command wrote come back and are saved (0600).
 * What goes wrong on the way is said in the administrator's language; the command's own output comes back already in it.
 */
export async function runRemote(argv: string[], options: { dataDir: string; holderPid: number; locale: Locale }): Promise<number> {
  const fail = (key: AdminKey, params: Params) => {
    process.stderr.write(`${adminText(options.locale, key, { pid: options.holderPid, dir: options.dataDir, ...params })}\n`);
    return 1;
  };
  const tokenFile = join(options.dataDir, ADMIN_TOKEN_FILE);
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch {
    return fail('remote.noToken', { file: ADMIN_TOKEN_FILE });
  }
  const files: Record<string, string> = {};
  for (const arg of argv) {
    if (arg.startsWith('-') || files[arg] !== undefined) continue;
    if (existsSync(arg) && statSync(arg).isFile()) files[arg] = (await readFile(arg)).toString('base64');
  }
  const socket = adminSocketPath(options.dataDir);
  let response: { status: number; body: string };
  try {
    response = await adminRequest(socket, 'POST', '/admin/run', { 'content-type': 'application/json', 'x-admin-token': token }, JSON.stringify({ argv, files }));
  } catch (error) {
    return fail('remote.noAnswer', { socket, error: (error as Error).message });
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    body = undefined;
  }
  const parsed = responseSchema.safeParse(body);
  if (response.status !== 200 || !parsed.success) {
    if (response.status === 401) return fail('remote.wrongToken', { file: ADMIN_TOKEN_FILE });
    const message = (body as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
    return fail('remote.refused', { message });
  }
  for (const [path, content] of Object.entries(parsed.data.files)) writePrivateFile(resolve(path), Buffer.from(content, 'base64'));
  process.stdout.write(parsed.data.stdout);
  process.stderr.write(parsed.data.stderr);
  return parsed.data.exitCode;
}
