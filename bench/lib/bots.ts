// The three bots the flow benchmark drives, each a real grammY Bot whose API calls a LocalBotApi answers:
// ours (the service's Telegram adapter around BotCore), the peer (bench/peer), and the bare-SQL floor.
import { Bot } from 'grammy';
import pg from 'pg';
import postgres from 'postgres';
import { BotCore } from '../../src/bot/core.js';
import { createTelegramChannel } from '../../src/bot/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { defaultFlows } from '../../src/flows/registry.js';
import { HttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { createPeerStorage, createPeerVisitBot } from '../peer/visitBot.js';
import { LocalBotApi, BOT_ID } from './localBotApi.js';

export const TOKEN = `${BOT_ID}:bench-token`;
/** Connections each bot may hold: the same for all three. */
export const POOL_SIZE = Number(process.env.BENCH_POOL ?? 10);

export interface BenchBot {
  bot: Bot;
  api: LocalBotApi;
  close(): Promise<void>;
}

/**
 * Our service's Telegram channel, built by its own factory, driven through the grammY Bot inside it. The channel
 * keeps its Bot private (it is started by polling or a webhook); the bench takes it out to call handleUpdate, which
 * is exactly what grammY's polling loop calls.
 */
export async function oursBot(url: string, database?: Database): Promise<BenchBot & { database: Database }> {
  const db = database ?? (await openDatabase({ databaseUrl: url, poolSize: POOL_SIZE }));
  const logger = createLogger('silent');
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TZ_NAME: 'Asia/Shanghai' });
  // A real user cannot tap 20 times a second; the load script does, so the per-user flood limit is lifted here.
  const core = new BotCore({ db: db.db, config, logger, flows: defaultFlows(), rateLimit: { burst: 1e9, perSecond: 1e9 } });
  const channel = createTelegramChannel({ config, core, http: new HttpServer(logger), logger, db: db.db });
  const bot: unknown = Reflect.get(channel, 'bot');
  if (!(bot instanceof Bot)) throw new Error('the Telegram channel no longer keeps its grammY Bot in `bot`: update bench/lib/bots.ts');
  const api = new LocalBotApi();
  api.install(bot.api);
  await bot.init();
  return { bot, api, database: db, close: () => (database ? Promise.resolve() : db.close()) };
}

export async function peerBot(url: string, givenPool?: pg.Pool): Promise<BenchBot> {
  const pool = givenPool ?? new pg.Pool({ connectionString: url, max: POOL_SIZE });
  const storage = await createPeerStorage(pool);
  const api = new LocalBotApi();
  const bot = createPeerVisitBot(TOKEN, pool, storage, api.transformer);
  await bot.init();
  return { bot: bot as unknown as Bot, api, close: () => pool.end() };
}

/**
 * The floor: the least SQL one update must do — record the update id (dedupe), read the user's conversation state
 * and write it back on its version — as ONE prepared statement in autocommit (one round trip), then one reply with
 * buttons. Same driver (postgres.js), same pool size.
 */
export async function bareBot(url: string, poolSize = POOL_SIZE): Promise<BenchBot> {
  const sql = postgres(url, { max: poolSize, onnotice: () => {} });
  const bot = new Bot(TOKEN);
  bot.use(async (ctx) => {
    const userId = String(ctx.from!.id);
    await sql`
      with fresh as (
        insert into processed_inbound (key, at) values (${`telegram:${ctx.update.update_id}`}, now()) on conflict do nothing returning 1
      ), state as (
        select c.id, c.version, c.answers from conversations c
        join channel_identities i on i.staff_id = c.staff_id and i.channel = 'telegram' and i.external_id = ${userId}
        where c.status = 'active' and exists (select 1 from fresh)
      ), moved as (
        update conversations c set version = state.version + 1, answers = state.answers || jsonb_build_object('step', state.version), updated_at = now()
        from state where c.id = state.id and c.version = state.version
        returning c.version
      )
      select exists (select 1 from fresh) as fresh, (select version from moved) as version`;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    await ctx.reply('下一题？', { reply_markup: { inline_keyboard: [[{ text: '正常', callback_data: 'a' }, { text: '需关注', callback_data: 'b' }]] } });
  });
  const api = new LocalBotApi();
  api.install(bot.api);
  await bot.init();
  return { bot, api, close: () => sql.end({ timeout: 5 }) };
}
