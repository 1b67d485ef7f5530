// Webhook transport: POST /feishu/events and /feishu/cards. Everything is checked on the raw body before any of
// it is believed — signature, timestamp, encryption, verification token, app id — and only then handed to the
// same dispatcher the WebSocket transport uses. Nothing forged, stale or foreign is processed.
import type { Logger } from 'pino';
import { z } from 'zod';
import { json, type HttpRequest, type HttpResponse } from '../../http/server.js';
import { TemporaryFailure } from '../outcome.js';
import { decryptLark, larkSignature, signatureMatches } from './crypto.js';

/** Feishu signs with the current time; older requests are replays (Feishu itself resends with fresh headers). */
export const MAX_REQUEST_AGE_SECONDS = 300;

export interface WebhookOptions {
  appId: string;
  encryptKey: string;
  verificationToken?: string;
  logger: Logger;
  /** The shared dispatcher: returns the card response for card actions, nothing for other events. */
  dispatch(data: Record<string, unknown>): Promise<unknown>;
  now?: () => number;
}

const encryptedBody = z.object({ encrypt: z.string().min(1).max(1_000_000) });
const envelope = z
  .object({
    schema: z.literal('2.0'),
    header: z
      .object({
        event_id: z.string().min(1),
        event_type: z.string().min(1),
        token: z.string().optional(),
        app_id: z.string().optional(),
      })
      .loose(),
    event: z.record(z.string(), z.unknown()),
  })
  .loose();
const challenge = z.object({ type: z.literal('url_verification'), challenge: z.string().max(1000), token: z.string().optional() });

const reject = (status: number, error: string): HttpResponse => json(status, { error });

function header(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createWebhookHandler(options: WebhookOptions): (req: HttpRequest) => Promise<HttpResponse> {
  const now = options.now ?? Date.now;
  return async (req) => {
    const timestamp = header(req, 'x-lark-request-timestamp');
    const nonce = header(req, 'x-lark-request-nonce');
    const signature = header(req, 'x-lark-signature');
    const signed = timestamp !== undefined && nonce !== undefined && signature !== undefined;
    if (signed) {
      if (!signatureMatches(larkSignature(timestamp, nonce, options.encryptKey, req.body), signature)) {
        options.logger.warn({ path: req.path }, 'feishu webhook: bad signature');
        return reject(401, 'bad signature');
      }
      const age = Math.abs(now() / 1000 - Number(timestamp));
      if (!Number.isFinite(age) || age > MAX_REQUEST_AGE_SECONDS) {
        options.logger.warn({ path: req.path }, 'feishu webhook: stale timestamp');
        return reject(401, 'stale request');
      }
    }

    let body: unknown;
    try {
      const outer = encryptedBody.parse(JSON.parse(req.body.toString('utf8')));
      body = JSON.parse(decryptLark(outer.encrypt, options.encryptKey));
    } catch {
      return reject(400, 'expected an encrypted body');
    }

    // Feishu sends the URL-verification challenge unsigned; decrypting it proves the encrypt key, the token the app.
    const ch = challenge.safeParse(body);
    if (ch.success) {
      if (options.verificationToken !== undefined && ch.data.token !== options.verificationToken) {
        return reject(403, 'wrong verification token');
      }
      return json(200, { challenge: ch.data.challenge });
    }
    if (!signed) return reject(401, 'missing signature');

    const event = envelope.safeParse(body);
    if (!event.success) return json(200, {});
    if (options.verificationToken !== undefined && event.data.header.token !== options.verificationToken) {
      options.logger.warn({ path: req.path }, 'feishu webhook: wrong verification token');
      return reject(403, 'wrong verification token');
    }
    if (event.data.header.app_id !== undefined && event.data.header.app_id !== options.appId) {
      return reject(403, 'event for another app');
    }

    try {
      const result = await options.dispatch(event.data as Record<string, unknown>);
      return json(200, result && typeof result === 'object' ? result : {});
    } catch (error) {
      // Nothing was written: a non-2xx answer makes Feishu deliver the event again.
      if (!(error instanceof TemporaryFailure)) options.logger.error({ err: error }, 'feishu event failed');
      return reject(503, 'temporarily unavailable');
    }
  };
}
