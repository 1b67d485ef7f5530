// Starts the real Telegram channel (real grammY Bot) against the fake Bot API server, in polling or webhook mode,
// with the service's own HttpServer, and lets a test act as Telegram users.
import { Writable } from 'node:stream';
import type { Update, User } from 'grammy/types';
import { pino } from 'pino';
import type { ChannelRuntime } from '../../src/bot/channel.js';
import { createTelegramChannel, type InboundHandler } from '../../src/bot/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { HttpServer } from '../../src/http/server.js';
import { FakeBotApi } from './fakeBotApi.js';

export type Mode = 'polling' | 'webhook';
export const WEBHOOK_SECRET = 'tg-secret_0123456789abcdefABCDEF';

export interface TelegramRig {
  fake: FakeBotApi;
  channel: ChannelRuntime;
  http: HttpServer;
  mode: Mode;
  /** Log lines (parsed JSON) the service wrote. */
  logs: Record<string, unknown>[];
  /** Hands an update to the bot as Telegram would and waits until it is processed. Webhook mode: the HTTP status. */
  deliver(update: Update): Promise<number>;
  close(): Promise<void>;
}

export async function startRig(options: {
  mode: Mode;
  core: InboundHandler;
  db: Db;
  env?: Record<string, string>;
  fake?: FakeBotApi;
  start?: boolean;
}): Promise<TelegramRig> {
  const fake = options.fake ?? (await new FakeBotApi().start());
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const http = new HttpServer(logger);
  const port = await http.listen(0, '127.0.0.1');
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    ...(options.mode === 'webhook'
      ? { TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET }
      : {}),
    ...options.env,
  });
  const channel = createTelegramChannel({ config, core: options.core, http, logger, db: options.db });
  if (options.start !== false) await channel.start();
  return {
    fake,
    channel,
    http,
    mode: options.mode,
    logs,
    async deliver(update) {
      if (options.mode === 'webhook') return fake.post(update);
      await fake.enqueue(update);
      return 200;
    },
    async close() {
      await channel.stop();
      await http.close();
      if (!options.fake) await fake.close();
    },
  };
}

/** A Telegram user: sends and presses, and reads what the bot said to them. */
export class TelegramUser {
  readonly user: User;
  private seen = 0;

  constructor(
    private readonly rig: TelegramRig,
    id: number,
    name: string,
    languageCode = 'zh-hans',
  ) {
    this.user = rig.fake.user(id, name, { languageCode });
  }

  get chatId(): number {
    return this.user.id;
  }

  /** Texts of the bot's messages since the last call (photos by caption), as they read now (after edits). */
  newMessages(): string[] {
    const all = this.rig.fake.sentTo(this.chatId);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh.map((m) => m.text ?? m.caption ?? '[photo]');
  }

  async send(text: string): Promise<number> {
    return this.rig.deliver(this.rig.fake.text(this.user, text));
  }

  async press(label: string): Promise<number> {
    return this.rig.deliver(this.rig.fake.press(this.user, label));
  }
}
