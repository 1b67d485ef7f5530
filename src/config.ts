// The environment, parsed once with zod into a typed Config. Every setting the service reads is here.
import { z } from 'zod';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalText,
  DATABASE_URL: optionalText,
  DATA_DIR: z.string().default('./data'),
  DEFAULT_LOCALE: z.enum(['zh-CN', 'en']).default('zh-CN'),
  TZ_NAME: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown time zone'),
  LOCAL_CHAT: flag.optional(),
  /** The public https origin of the local chat behind a TLS reverse proxy (e.g. `https://chat.example.org`). */
  LOCAL_CHAT_ORIGIN: optionalText.pipe(z.url({ protocol: /^https$/ }).optional()),
  SEED_DEMO: flag.optional(),
  DIGEST_CHARTS: flag.default(true),
  CHROMIUM_PATH: z.string().trim().min(1).default('/usr/bin/chromium'),
  CHART_FONT: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_TOKEN: optionalText,

  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_API_ROOT: optionalText,
  TELEGRAM_WEBHOOK_URL: optionalText,
  TELEGRAM_WEBHOOK_SECRET: optionalText,

  FEISHU_APP_ID: optionalText,
  FEISHU_APP_SECRET: optionalText,
  FEISHU_DOMAIN: z.string().default('feishu'),
  FEISHU_MODE: z.enum(['ws', 'webhook']).default('ws'),
  FEISHU_ENCRYPT_KEY: optionalText,
  FEISHU_VERIFICATION_TOKEN: optionalText,

  REMINDER_CRON: z.string().default('0 9 * * 1-5'),
  DIGEST_CRON: z.string().default('0 8 * * *'),
  QUIET_HOURS: z
    .string()
    .default('21:00-08:00')
    .refine((v) => v === '' || v.split('-').every((p) => hhmm.safeParse(p).success), 'expected HH:MM-HH:MM'),
  ESCALATE_OVERDUE_DAYS: z.coerce.number().int().min(1).default(7),
  REPORT_ACK_MINUTES: z.coerce.number().int().min(1).default(30),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  DRAFT_TTL_HOURS: z.coerce.number().min(1).default(24),
});

export type Env = z.output<typeof envSchema>;

export interface Config extends Env {
  /** The local chat is on by default only when no messenger is configured. */
  localChat: boolean;
  telegramEnabled: boolean;
  feishuEnabled: boolean;
  /** Interface to listen on: loopback unless HOST says otherwise. */
  listenHost: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const telegramEnabled = e.TELEGRAM_BOT_TOKEN !== undefined;
  const feishuEnabled = e.FEISHU_APP_ID !== undefined && e.FEISHU_APP_SECRET !== undefined;
  if ((e.FEISHU_APP_ID === undefined) !== (e.FEISHU_APP_SECRET === undefined)) {
    throw new ConfigError('Invalid configuration:\n  FEISHU_APP_ID and FEISHU_APP_SECRET must be set together');
  }
  if (e.TELEGRAM_WEBHOOK_URL !== undefined && e.TELEGRAM_WEBHOOK_SECRET === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL (requests without it are rejected)',
    );
  }
  if (feishuEnabled && e.FEISHU_MODE === 'webhook' && e.FEISHU_ENCRYPT_KEY === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  FEISHU_MODE=webhook requires FEISHU_ENCRYPT_KEY: without it the Lark SDK does not check signatures',
    );
  }
  const localChat = e.LOCAL_CHAT ?? !(telegramEnabled || feishuEnabled);
  const listenHost = e.HOST ?? '127.0.0.1';
  if (localChat && !isLoopbackHost(listenHost)) {
    throw new ConfigError(
      `Invalid configuration:\n  HOST=${listenHost} would serve the local chat, which shows children's data, over plain HTTP to the network.\n` +
        '  Keep HOST unset (loopback) and put a TLS reverse proxy in front (Caddy, nginx) that forwards to 127.0.0.1:PORT,\n' +
        '  with LOCAL_CHAT_ORIGIN=https://<the public name> so the proxied requests are accepted; or set LOCAL_CHAT=0.',
    );
  }
  return {
    ...e,
    localChat,
    telegramEnabled,
    feishuEnabled,
    listenHost,
  };
}

/** A name or address that only this machine can reach (`localhost`, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}
