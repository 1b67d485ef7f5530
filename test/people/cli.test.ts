// The CLI as the administrator runs it: a real child process, exit codes, --help; and the remote path, where a
// process holds the data directory and the CLI hands its command to that process's POST /admin/run (on the admin
// socket in the data directory).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRequest, adminSocketPath, registerAdminRoute } from '../../src/admin/remote.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { HttpServer } from '../../src/http/server.js';
import { testAreasCsv } from './harness.js';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules/.bin/tsx');

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(tsx, ['src/admin/cli.ts', ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run admin as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-cli-'));
  const dataDir = join(dir, 'data');
  const areasFile = join(dir, 'areas.csv');
  writeFileSync(areasFile, testAreasCsv);

  it('prints help without touching the database, and exits 2 on an unknown command', async () => {
    const [general, verb, unknown, english, englishByDefault] = await Promise.all([
      cli(['--help'], { DATA_DIR: dataDir }),
      cli(['import-roster', '--help'], { DATA_DIR: dataDir }),
      cli(['frobnicate'], { DATA_DIR: dataDir }),
      cli(['--help', '--lang', 'en'], { DATA_DIR: dataDir }),
      cli(['invite', '--help'], { DATA_DIR: dataDir, DEFAULT_LOCALE: 'en' }),
    ]);
    // --help never opened (or created) the data directory.
    expect(existsSync(dataDir)).toBe(false);
    // Chinese by default, as DEFAULT_LOCALE is.
    expect(general.code).toBe(0);
    expect(general.stdout).toContain('命令：');
    expect(general.stdout).toMatch(/import-roster\s+从 CSV 或 .xlsx 名册导入儿童/);
    expect(general.stdout).toContain('退出码：0 完成；1 失败（未写入任何内容）；2 用法错误；3 完成，但文件中有被拒绝的行。');
    expect(verb.code).toBe(0);
    expect(verb.stdout).toContain('npm run -s admin -- import-roster <文件.csv|文件.xlsx> [--apply] [--quiet]');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('没有“frobnicate”这个命令');
    expect(english.stdout).toMatch(/import-roster\s+import children/);
    expect(englishByDefault.stdout).toContain('npm run -s admin -- invite --role caseworker|supervisor|admin');
  });

  it('opens the embedded database itself when no one holds it', async () => {
    const result = await cli(['areas', 'import', areasFile], { DATA_DIR: dataDir });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('新增 8') });
  });

  describe('while another process holds the data directory', () => {
    let database: Database;
    let http: HttpServer;
    let token: string;
    beforeAll(async () => {
      database = await openDatabase({ dataDir });
      const config = loadConfig({ DATA_DIR: dataDir });
      http = new HttpServer(pino({ level: 'silent' }));
      token = registerAdminRoute(http, { db: database.db, dbKind: database.kind, config, logger: pino({ level: 'silent' }) }).token;
      await http.listenOnSocket(adminSocketPath(dataDir));
    });
    afterAll(async () => {
      await http.close();
      await database.close();
    });

    it('hands the command to the running service, files travelling both ways', async () => {
      const roster = join(dir, 'roster.csv');
      writeFileSync(roster, '姓名,出生日期,村(社区)代码\n王小明,2015-03-08,440103001001\n李芳,2016-13-01,440103001001\n');
      const imported = await cli(['import-roster', roster, '--apply'], { DATA_DIR: dataDir });
      expect(imported.code).toBe(3);
      expect(imported.stdout).toContain('已导入：新增 1，更新 0，未变 0，拒绝 1');
      const out = join(dir, 'children.xlsx');
      const exported = await cli(['export', 'children', '--area', '440103', '--format', 'xlsx', '--out', out], { DATA_DIR: dataDir });
      expect(exported).toMatchObject({ code: 0, stderr: expect.stringContaining('已导出 1 条儿童') });
      expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
    });

    it('says in the administrator\'s language when the service refuses the token', async () => {
      const tokenFile = join(dataDir, 'admin.token');
      writeFileSync(tokenFile, 'not-the-token');
      try {
        const [zh, en] = await Promise.all([cli(['areas', 'list'], { DATA_DIR: dataDir }), cli(['areas', 'list', '--lang', 'en'], { DATA_DIR: dataDir })]);
        expect(zh).toMatchObject({ code: 1, stdout: '', stderr: `服务（进程 ${process.pid}）不接受 ${dataDir} 中 admin.token 的令牌，这个命令没有执行。请确认命令和服务使用同一个 DATA_DIR，并用运行服务的系统用户执行。\n` });
        expect(en).toMatchObject({ code: 1, stderr: expect.stringContaining(`The service (process ${process.pid}) does not accept the token in admin.token of ${dataDir}; the command was not run.`) });
      } finally {
        writeFileSync(tokenFile, token);
      }
    });

    it('refuses a request without the token, and says so when the service does not answer', async () => {
      const socket = adminSocketPath(dataDir);
      const refused = await adminRequest(socket, 'POST', '/admin/run', {}, JSON.stringify({ argv: ['areas', 'list'] }));
      expect(refused.status).toBe(401);
      const forged = await adminRequest(socket, 'POST', '/admin/run', { 'x-admin-token': token }, '{"argv": "areas list"}');
      expect(forged.status).toBe(400);
      await http.close();
      const [silent, silentEn] = await Promise.all([
        cli(['areas', 'list'], { DATA_DIR: dataDir }),
        cli(['areas', 'list'], { DATA_DIR: dataDir, DEFAULT_LOCALE: 'en' }),
      ]);
      expect(silent.code).toBe(1);
      expect(silent.stderr).toContain(`服务（进程 ${process.pid}）正在使用 ${dataDir}，但在 ${socket} 上没有应答`);
      expect(silent.stderr).toContain('请用运行服务的系统用户执行命令，或先停止服务。');
      expect(silentEn).toMatchObject({ code: 1, stderr: expect.stringContaining(`is using ${dataDir} but does not answer on ${socket}`) });
      rmSync(join(dataDir, 'admin.token'));
      const tokenless = await cli(['areas', 'list'], { DATA_DIR: dataDir });
      expect(tokenless).toMatchObject({ code: 1, stderr: `服务（进程 ${process.pid}）正在使用 ${dataDir}，但没有留下 admin.token：请先停止服务，再运行这个命令。\n` });
    });
  });
});

describe('npm run -s admin', () => {
  it('prints only the command\'s own output on stdout, so a script can read the invite code', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'admin', '--', 'invite', '--help'], { env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    expect(stdout.startsWith('用法：\n  npm run -s admin -- invite')).toBe(true);
  });
});
