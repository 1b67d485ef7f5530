// What every local chat request must pass before anyone looks at its session: the Host must be this machine (or
// the configured public origin), so a DNS-rebinding page cannot reach it by name; a browser's Origin must be the
// page's own, so another site cannot drive it; a write must say application/json, which a plain HTML form or a
// "simple" cross-site fetch cannot send without asking first.
import { isLoopbackHost } from '../../config.js';
import { HttpError, type HttpRequest } from '../../http/server.js';

export const SESSION_COOKIE = 'cw_local';

export interface LocalChatGuard {
  /** Refuses a request from the wrong place (403) or a write that is not JSON (415). */
  check(req: HttpRequest): void;
  /** The session token the request's cookie carries, if any. */
  token(req: HttpRequest): string | undefined;
  /** Who is guessing invite codes: the client's address (behind the configured proxy, the one it forwarded). */
  clientKey(req: HttpRequest): string;
  sessionCookie(token: string, maxAgeSeconds: number): string;
}

/** `publicOrigin`: LOCAL_CHAT_ORIGIN, the https origin a TLS reverse proxy serves the page on. */
export function localChatGuard(publicOrigin: string | undefined): LocalChatGuard {
  const publicUrl = publicOrigin ? new URL(publicOrigin) : undefined;
  const hostAllowed = (host: string) => host === publicUrl?.host || isLoopbackHost(hostnameOf(host));
  const secure = publicUrl ? '; Secure' : '';
  return {
    check(req) {
      const host = header(req, 'host');
      if (!host || !hostAllowed(host.toLowerCase())) throw new HttpError(403, 'unknown Host: the local chat answers only on this machine');
      const origin = header(req, 'origin');
      // Plain http is the page's own origin only on this machine; through the proxy it is the https origin.
      const sameOrigin = origin === undefined || origin === publicUrl?.origin || (origin === `http://${host}` && isLoopbackHost(hostnameOf(host)));
      if (!sameOrigin || header(req, 'sec-fetch-site') === 'cross-site') throw new HttpError(403, 'cross-site request refused');
      if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(header(req, 'content-type') ?? '')) {
        throw new HttpError(415, 'expected Content-Type: application/json');
      }
    },
    token(req) {
      for (const part of (header(req, 'cookie') ?? '').split(';')) {
        const [name, ...value] = part.trim().split('=');
        if (name === SESSION_COOKIE) return value.join('=');
      }
      return undefined;
    },
    clientKey(req) {
      // The proxy appends the address it saw; anything before it was written by the client and is not trusted.
      const forwarded = publicUrl ? header(req, 'x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
      return `ip:${forwarded || req.remoteAddress || 'unknown'}`;
    },
    sessionCookie(token, maxAgeSeconds) {
      return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
    },
  };
}

function header(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `127.0.0.1:3000` → `127.0.0.1`; `[::1]:3000` → `::1`. */
function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  return host.replace(/:\d+$/, '');
}
