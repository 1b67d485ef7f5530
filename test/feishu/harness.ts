// A Feishu channel wired to the fake open platform, an HTTP server on loopback, and a core (fake or real).
import { createFeishuChannel, type FeishuChannel } from '../../src/bot/feishu/index.js';
import type { CoreHandler } from '../../src/bot/feishu/handler.js';
import type { Inbound } from '../../src/bot/inbound.js';
import { message, bold, plain, type OutMessage } from '../../src/bot/message.js';
import { TemporaryFailure, type Outcome } from '../../src/bot/outcome.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { HttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { APP_ID, APP_SECRET, ENCRYPT_KEY, FakeFeishu, VERIFICATION_TOKEN } from './fakeFeishu.js';

export interface Running {
  channel: FeishuChannel;
  http: HttpServer;
  eventsUrl: string;
  cardsUrl: string;
  close(): Promise<void>;
}

export async function startChannel(o: {
  fake: FakeFeishu;
  core: CoreHandler;
  db: Db;
  mode?: 'ws' | 'webhook';
  answerWithinMs?: number;
  wsPingTimeoutSeconds?: number;
  env?: Record<string, string>;
}): Promise<Running> {
  const config = loadConfig({
    FEISHU_APP_ID: APP_ID,
    FEISHU_APP_SECRET: APP_SECRET,
    FEISHU_DOMAIN: o.fake.url,
    FEISHU_MODE: o.mode ?? 'webhook',
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    LOG_LEVEL: 'silent',
    ...o.env,
  });
  const logger = createLogger('silent');
  const http = new HttpServer(logger);
  const channel = createFeishuChannel({ config, core: o.core, http, logger, db: o.db, answerWithinMs: o.answerWithinMs, wsPingTimeoutSeconds: o.wsPingTimeoutSeconds });
  const port = await http.listen(0, '127.0.0.1');
  await channel.start();
  return {
    channel,
    http,
    eventsUrl: `http://127.0.0.1:${port}/feishu/events`,
    cardsUrl: `http://127.0.0.1:${port}/feishu/cards`,
    async close() {
      await channel.stop();
      await http.close();
    },
  };
}

/**
 * A tiny core for adapter tests: dedupes by id like the real one, asks one question with two buttons, accepts
 * only the current question's buttons from the user who was asked, and echoes text back in bold.
 */
export class FakeCore implements CoreHandler {
  readonly inbounds: Inbound[] = [];
  delayMs = 0;
  failWith: Error | undefined;
  private readonly seen = new Set<string>();
  private readonly asked = new Map<string, number>();
  private questionNo = 0;

  async handle(inbound: Inbound): Promise<Outcome> {
    this.inbounds.push(inbound);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
    const locale = inbound.languageHint ?? 'zh-CN';
    if (this.seen.has(inbound.id)) return { replies: [], locale, duplicate: true };
    this.seen.add(inbound.id);
    if (inbound.chatType === 'group') return { replies: [message(locale === 'en' ? 'private chats only' : '仅限私聊')], locale };
    const ev = inbound.event;
    if (ev.kind === 'text' && ev.text === 'ask') {
      const n = ++this.questionNo;
      this.asked.set(inbound.userId, n);
      return { replies: [question(n)], locale };
    }
    if (ev.kind === 'button') {
      const [, n, choice] = /^q(\d+)\.(yes|no)$/.exec(ev.data) ?? [];
      if (this.asked.get(inbound.userId) !== Number(n)) return { replies: [], toast: 'stale', locale };
      this.asked.delete(inbound.userId);
      return {
        replies: [message(`saved: ${choice}`)],
        resolved: { text: [plain(`Question ${n}? `), bold(choice === 'yes' ? 'Yes' : 'No')] },
        locale,
      };
    }
    if (ev.kind === 'text' && ev.text === 'three') return { replies: ['one', 'two', 'three'].map((t) => message(t)), locale };
    if (ev.kind === 'text') return { replies: [message([plain('you said '), bold(ev.text)])], locale };
    if (ev.kind === 'photo') return { replies: [message(`photo ${ev.fileId} ${ev.caption ?? ''}`.trim())], locale };
    return { replies: [message(`location ${ev.latitude},${ev.longitude}`)], locale };
  }
}

export function question(n: number): OutMessage {
  return message([plain(`Question ${n}?`)], [[{ label: 'Yes', data: `q${n}.yes` }, { label: 'No', data: `q${n}.no` }]]);
}

export const temporaryFailure = () => new TemporaryFailure('busy, try again');

/** Waits until a condition holds (replies are sent after Feishu got its answer). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Rig {
  fake: FakeFeishu;
  core: FakeCore;
  app: Running;
  database: Database;
}

/**
 * The set-up every channel-level suite shares: one PGlite for the file; per test a fresh fake platform, a fake
 * core and the channel started against them, closed when the test ends. `assign` hands each test's rig over.
 */
export function useFeishuRig(
  options: Omit<Parameters<typeof startChannel>[0], 'fake' | 'core' | 'db'> & { prepare?: (fake: FakeFeishu) => void },
  assign: (rig: Rig) => void,
): void {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ memory: true });
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async (ctx) => {
    const { prepare, ...channelOptions } = options;
    const fake = await new FakeFeishu().start();
    prepare?.(fake);
    const core = new FakeCore();
    const app = await startChannel({ ...channelOptions, fake, core, db: database.db });
    ctx.onTestFinished(async () => {
      await app.close();
      await fake.close();
    });
    assign({ fake, core, app, database });
  });
}
