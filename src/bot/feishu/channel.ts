// The Feishu / Lark channel: SDK client for sending; events over the WebSocket long connection (default) or the
// signed, encrypted webhook — both into one EventDispatcher whose handlers are one FeishuEventHandler.
import * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { HttpServer } from '../../http/server.js';
import type { Logger } from '../../logger.js';
import type { ChannelRuntime } from '../channel.js';
import { CARD_ACTION_EVENT, CHAT_ENTERED_EVENT, MENU_EVENT, MESSAGE_EVENT } from './events.js';
import { FeishuEventHandler, type CoreHandler } from './handler.js';
import { feishuUserLocale } from './locale.js';
import { insecureDomain, larkDomain, sdkLogger, TokenCache } from './sdk.js';
import { FeishuSender } from './sender.js';
import { createWebhookHandler } from './webhook.js';

export interface FeishuChannelDeps {
  config: Config;
  core: CoreHandler;
  http: HttpServer;
  logger: Logger;
  db: Db;
  /** Tests shorten Feishu's 3-second answer window. */
  answerWithinMs?: number;
  /** Tests shorten the dead-connection watchdog. */
  wsPingTimeoutSeconds?: number;
}

/** WebSocket liveness: a ping without any answer within this many seconds means the connection is dead. */
const WS_PING_TIMEOUT_SECONDS = 30;
const WEBHOOK_MAX_BODY = 1024 * 1024;

export interface FeishuChannel extends ChannelRuntime {
  /** The shared handler (exposed for tests: both transports must reach it). */
  readonly events: FeishuEventHandler;
}

export function createFeishuChannel(deps: FeishuChannelDeps): FeishuChannel {
  const { config } = deps;
  const appId = config.FEISHU_APP_ID;
  const appSecret = config.FEISHU_APP_SECRET;
  if (!appId || !appSecret) throw new Error('the Feishu channel needs FEISHU_APP_ID and FEISHU_APP_SECRET');
  const logger = deps.logger.child({ channel: 'feishu' });
  const domain = larkDomain(config.FEISHU_DOMAIN);
  if (insecureDomain(domain)) logger.warn('FEISHU_DOMAIN is plain http: the app secret and every message cross the network unencrypted');
  const sdkLog = sdkLogger(logger);
  const tokenCache = new TokenCache();
  const client = new lark.Client({ appId, appSecret, domain, cache: tokenCache, logger: sdkLog, loggerLevel: lark.LoggerLevel.warn });
  const sender = new FeishuSender(client, logger, () => tokenCache.clear());
  const events = new FeishuEventHandler({
    core: deps.core,
    sender,
    logger,
    answerWithinMs: deps.answerWithinMs,
    defaultLocale: config.DEFAULT_LOCALE,
    locateUser: (openId, hint) => feishuUserLocale(deps.db, openId, hint, config.DEFAULT_LOCALE),
    chatMode: (chatId) => sender.chatMode(chatId),
  });

  // Signatures are checked by the webhook transport itself (on the raw body); WebSocket frames need none. The
  // encrypt key lets the dispatcher open a frame that arrives encrypted all the same.
  const dispatcher = new lark.EventDispatcher({ encryptKey: config.FEISHU_ENCRYPT_KEY, logger: sdkLog, loggerLevel: lark.LoggerLevel.warn });
  let lastEventAt: string | undefined;
  const handle = (data: unknown) => {
    lastEventAt = new Date().toISOString();
    return events.handle(data as Record<string, unknown>);
  };
  dispatcher.register({
    [MESSAGE_EVENT]: handle,
    [CARD_ACTION_EVENT]: handle,
    [MENU_EVENT]: handle,
    [CHAT_ENTERED_EVENT]: handle,
  } as Record<string, typeof handle>);
  const dispatch = (data: Record<string, unknown>) => dispatcher.invoke(data, { needCheck: false });

  let ws: lark.WSClient | undefined;
  const mode = config.FEISHU_MODE;

  if (mode === 'webhook') {
    const encryptKey = config.FEISHU_ENCRYPT_KEY;
    if (!encryptKey) throw new Error('FEISHU_MODE=webhook requires FEISHU_ENCRYPT_KEY: without it signatures cannot be checked');
    const webhook = createWebhookHandler({
      appId,
      encryptKey,
      verificationToken: config.FEISHU_VERIFICATION_TOKEN,
      logger,
      dispatch,
    });
    deps.http.route('POST', '/feishu/events', webhook, { maxBody: WEBHOOK_MAX_BODY });
    deps.http.route('POST', '/feishu/cards', webhook, { maxBody: WEBHOOK_MAX_BODY });
  }

  return {
    name: 'feishu',
    events,
    async start() {
      if (mode !== 'ws') return;
      ws = new lark.WSClient({
        appId,
        appSecret,
        domain,
        logger: sdkLog,
        loggerLevel: lark.LoggerLevel.warn,
        wsConfig: { pingTimeout: deps.wsPingTimeoutSeconds ?? WS_PING_TIMEOUT_SECONDS },
        onReady: () => logger.info('feishu long connection ready'),
        onReconnected: () => logger.info('feishu long connection restored'),
        onError: (error: Error) => logger.error({ err: error.message }, 'feishu long connection failed'),
      });
      await ws.start({ eventDispatcher: dispatcher });
    },
    async stop() {
      ws?.close({ force: true });
      await events.idle();
    },
    deliver(chatId, message, idempotencyKey) {
      return sender.send(chatId, message, idempotencyKey);
    },
    edit(_chatId, messageId, message) {
      return sender.edit(messageId, message);
    },
    health() {
      if (mode === 'webhook') return { mode, lastEventAt };
      const status = ws?.getConnectionStatus();
      return { mode, state: status?.state ?? 'idle', reconnectAttempts: status?.reconnectAttempts ?? 0, lastEventAt };
    },
  };
}
