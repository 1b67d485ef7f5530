// The Lark SDK objects, configured once: domain, a per-channel token cache, and a logger that keeps message
// content out of the logs (the SDK's own error logs include request bodies).
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';

/** `feishu`, `lark`, or a private deployment's base URL. */
export function larkDomain(setting: string): lark.Domain | string {
  const value = setting.trim();
  if (value.toLowerCase() === 'feishu') return lark.Domain.Feishu;
  if (value.toLowerCase() === 'lark') return lark.Domain.Lark;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`FEISHU_DOMAIN must be feishu, lark or the http(s) base URL of a private deployment, not "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`FEISHU_DOMAIN must be an http(s) URL, not "${value}"`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The app secret goes to this address: plain http is only for a platform on this machine. */
export function insecureDomain(domain: lark.Domain | string): boolean {
  if (typeof domain !== 'string') return false;
  const url = new URL(domain);
  return url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Only short, content-free facts of what the SDK says: strings, error messages, codes. */
function describe(args: unknown[]): string {
  const parts: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 2 || value === null || value === undefined) return;
    if (typeof value === 'string') parts.push(value.slice(0, 200));
    else if (typeof value === 'number' || typeof value === 'boolean') parts.push(String(value));
    else if (value instanceof Error) parts.push(value.message.slice(0, 200));
    else if (Array.isArray(value)) value.forEach((v) => visit(v, depth + 1));
    else if (typeof value === 'object') {
      const o = value as Record<string, unknown>;
      for (const key of ['message', 'code', 'msg', 'status', 'url']) {
        if (typeof o[key] === 'string' || typeof o[key] === 'number') parts.push(`${key}=${String(o[key]).slice(0, 200)}`);
      }
    }
  };
  visit(args, 0);
  return parts.join(' ');
}

export function sdkLogger(logger: Logger): { error(...a: unknown[]): void; warn(...a: unknown[]): void; info(...a: unknown[]): void; debug(...a: unknown[]): void; trace(...a: unknown[]): void } {
  const child = logger.child({ module: 'lark-sdk' });
  return {
    error: (...a) => child.error(describe(a)),
    warn: (...a) => child.warn(describe(a)),
    info: (...a) => child.debug(describe(a)),
    debug: () => {},
    trace: () => {},
  };
}

/** The SDK's default token cache is process-global; one per channel keeps apps and tests apart. */
type CacheKey = Parameters<lark.Cache['get']>[0];

export class TokenCache implements lark.Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt?: number }>();

  async get(key: CacheKey, options?: { namespace?: string }): Promise<unknown> {
    const entry = this.values.get(this.keyOf(key, options));
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) return undefined;
    return entry.value;
  }

  async set(key: CacheKey, value: unknown, expiresAt?: number, options?: { namespace?: string }): Promise<boolean> {
    this.values.set(this.keyOf(key, options), { value, expiresAt });
    return true;
  }

  clear(): void {
    this.values.clear();
  }

  private keyOf(key: CacheKey, options?: { namespace?: string }): string {
    return `${options?.namespace ?? ''}/${key.toString()}`;
  }
}
