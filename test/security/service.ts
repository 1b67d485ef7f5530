// The whole service as the security suite attacks it: startApp on a fresh data directory, Telegram on against the
// fake Bot API, HTTP on loopback, logs captured. Telegram users are bound to staff with real invite codes.
import { execFile } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Message, User } from 'grammy/types';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { staff } from '../../src/db/schema.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { freePort } from '../robustness/support/service.js';
import { FakeBotApi } from '../telegram/fakeBotApi.js';
import { TestClock } from '../support/world.js';

export interface Said {
  /** New messages the bot sent to the user, and the toast of a press. */
  texts: string[];
  toast: string | undefined;
}

export class SecureService {
  private nextUser = 7_100_001;

  private constructor(
    readonly app: App,
    readonly fake: FakeBotApi,
    readonly dataDir: string,
    readonly logLines: string[],
    readonly clock: TestClock,
    /** The service's own logger (its lines land in logLines). */
    readonly logger: Logger,
  ) {}

  /** `env.DATA_DIR` puts the data directory elsewhere (the caller removes it); by default a fresh one is made. */
  static async start(env: Record<string, string> = {}, prepare?: (fake: FakeBotApi) => void): Promise<SecureService> {
    const fake = await new FakeBotApi().start();
    prepare?.(fake);
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-sec-'));
    const logLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim()));
        done();
      },
    });
    const clock = new TestClock();
    const config = loadConfig({
      PORT: String(await freePort()),
      DATA_DIR: join(dataDir, 'data'),
      LOCAL_CHAT: '0',
      SEED_DEMO: '1',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ...env,
    });
    const logger = createLogger('debug', sink);
    const app = await startApp(config, { logger, clock: clock.now, startScheduler: false });
    return new SecureService(app, fake, dataDir, logLines, clock, logger);
  }

  get db(): Db {
    return this.app.database.db;
  }

  get url(): string {
    return `http://127.0.0.1:${this.app.port}`;
  }

  async staffId(name: string): Promise<number> {
    const [row] = await this.db.select({ id: staff.id }).from(staff).where(eq(staff.name, name));
    if (!row) throw new Error(`no staff named ${name}`);
    return row.id;
  }

  /** A new Telegram user bound to the staff member by an invite code, as an administrator hands it out. */
  async telegramUser(staffId: number, languageCode = 'zh-hans'): Promise<User> {
    const [row] = await this.db.select({ role: staff.role, areaCode: staff.areaCode }).from(staff).where(eq(staff.id, staffId));
    const { code } = await createInvite(this.db, { role: row!.role, areaCode: row!.areaCode, staffId, now: this.clock.now() });
    const user = this.fake.user(this.nextUser++, `user${staffId}`, { languageCode });
    await this.say(user, `/start ${code}`);
    return user;
  }

  async say(user: User, text: string): Promise<Said> {
    return this.deliver(user, () => this.fake.text(user, text));
  }

  /** A press on the newest button whose label contains `label`, in the user's chat. */
  async press(user: User, label: string): Promise<Said> {
    for (const message of this.fake.sentTo(user.id).reverse()) {
      const button = message.reply_markup?.inline_keyboard.flat().find((b) => b.text.includes(label));
      if (button && 'callback_data' in button) return this.deliver(user, () => this.fake.pressData(user, message, button.callback_data));
    }
    throw new Error(`no button "${label}" for user ${user.id}`);
  }

  /** A press with forged data on the newest message of the user's chat. */
  async pressData(user: User, data: string): Promise<Said> {
    const message = this.fake.sentTo(user.id).at(-1) as Message;
    return this.deliver(user, () => this.fake.pressData(user, message, data));
  }

  private async deliver(user: User, update: () => ReturnType<FakeBotApi['text']>): Promise<Said> {
    const before = this.fake.sentTo(user.id).length;
    const answers = this.fake.callsOf('answerCallbackQuery').length;
    await this.fake.enqueue(update());
    const texts = this.fake
      .sentTo(user.id)
      .slice(before)
      .map((m) => m.text ?? m.caption ?? '');
    const toast = this.fake
      .callsOf('answerCallbackQuery')
      .slice(answers)
      .map((c) => c.params.text)
      .find((t): t is string => typeof t === 'string');
    return { texts, toast };
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.fake.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const execFileAsync = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules/.bin/tsx');

/** `npm run admin -- <args>` as the administrator runs it: a separate process. */
export async function adminCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(tsx, ['src/admin/cli.ts', ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Entries under `dir` (itself included) that anyone but the owner may read, write or enter, with their modes. */
export function widerThanOwner(dir: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return found;
}
