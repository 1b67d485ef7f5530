// The whole service as the security suite attacks it: startApp on a fresh data directory, Telegram on against the
// fake Bot API, HTTP on loopback, logs captured. Telegram users are bound to staff with real invite codes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Message, User } from 'grammy/types';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { createInvite } from '../../src/db/invites.js';
import { staff } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
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
  ) {}

  static async start(env: Record<string, string> = {}): Promise<SecureService> {
    const fake = await new FakeBotApi().start();
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
    const app = await startApp(config, { logger: createLogger('debug', sink), clock: clock.now, startScheduler: false });
    return new SecureService(app, fake, dataDir, logLines, clock);
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
