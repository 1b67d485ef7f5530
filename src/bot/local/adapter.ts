// The local chat: a web page that behaves like a messenger, for trying and training without a bot token.
// Loopback only unless HOST says otherwise; off when a messenger is configured unless LOCAL_CHAT=1.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { areas, channelIdentities, staff } from '../../db/schema.js';
import { HttpError, json, jsonBody, type HttpServer } from '../../http/server.js';
import type { ChannelRuntime, DeliveryResult } from '../channel.js';
import type { BotCore } from '../core.js';
import type { OutMessage } from '../message.js';
import { TemporaryFailure } from '../outcome.js';

const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');

const sendSchema = z.object({
  staff: z.number().int().positive(),
  /** Client-generated id of this action: a retried POST is deduplicated by the core. */
  id: z.string().min(1).max(100).optional(),
  text: z.string().max(5000).optional(),
  data: z.string().max(256).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
});

interface InboxItem {
  seq: number;
  message: OutMessage;
}

export function createLocalChannel(deps: { core: BotCore; http: HttpServer; db: Db }): ChannelRuntime {
  const inbox = new Map<string, InboxItem[]>();
  let seq = 0;

  deps.http.route('GET', '/', () => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: page }));

  deps.http.route('GET', '/api/local/staff', async () => {
    const rows = await deps.db
      .select({ id: staff.id, name: staff.name, role: staff.role, area: areas.name, locale: staff.locale })
      .from(channelIdentities)
      .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
      .innerJoin(areas, eq(areas.code, staff.areaCode))
      .where(eq(channelIdentities.channel, 'local'))
      .orderBy(asc(staff.id));
    return json(200, { staff: rows, defaultLocale: deps.core.defaultLocale });
  });

  deps.http.route(
    'POST',
    '/api/local/send',
    async (req) => {
      const parsed = sendSchema.safeParse(jsonBody(req));
      if (!parsed.success) throw new HttpError(400, 'invalid request');
      const body = parsed.data;
      const event = body.data !== undefined
        ? { kind: 'button' as const, data: body.data }
        : body.location
          ? { kind: 'location' as const, ...body.location }
          : { kind: 'text' as const, text: body.text ?? '' };
      const key = `staff:${body.staff}`;
      try {
        const outcome = await deps.core.handle({ channel: 'local', id: body.id ?? randomUUID(), userId: key, chatId: key, chatType: 'private', event });
        return json(200, outcome);
      } catch (error) {
        if (error instanceof TemporaryFailure) return json(503, { error: error.retryText });
        throw error;
      }
    },
    { maxBody: 16 * 1024 },
  );

  deps.http.route('GET', '/api/local/inbox', (req) => {
    const chat = `staff:${Number(req.query.get('staff'))}`;
    const after = Number(req.query.get('after') ?? 0);
    return json(200, { messages: (inbox.get(chat) ?? []).filter((m) => m.seq > after) });
  });

  return {
    name: 'local',
    async start() {},
    async stop() {},
    async deliver(chatId: string, message: OutMessage): Promise<DeliveryResult> {
      const list = inbox.get(chatId) ?? [];
      list.push({ seq: ++seq, message });
      // Keeps the page's backlog bounded: it is a demo inbox, the outbox row is the record.
      inbox.set(chatId, list.slice(-200));
      return { ok: true, messageId: String(seq) };
    },
    health: () => ({ running: true }),
  };
}
