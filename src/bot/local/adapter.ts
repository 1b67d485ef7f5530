// The local chat: a web page that behaves like a messenger, for trying and training without a bot token. A real
// channel with real identities: a person signs in by sending an invite code (the core's onboarding, as on
// Telegram and Feishu) and gets a session cookie; while the database holds only the demo county, the demo staff can
// be picked instead. Every /api/local/* request passes the guard (Host, Origin, JSON) and names its session.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { and, asc, eq, like } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { actorForIdentity, type Actor } from '../../db/actor.js';
import type { Db } from '../../db/client.js';
import { areas, channelIdentities, staff } from '../../db/schema.js';
import { demoIdentityPrefix, holdsOnlyDemoCounty } from '../../db/seed.js';
import { HttpError, json, jsonBody, type HttpRequest, type HttpResponse, type HttpServer } from '../../http/server.js';
import { localChatCatalogue, localChatText } from '../../i18n/sections/localChat.js';
import { coreText } from '../../i18n/core.js';
import { resolveLocale, type Locale } from '../../i18n/translator.js';
import type { ChannelRuntime, DeliveryResult } from '../channel.js';
import type { BotCore } from '../core.js';
import type { Inbound } from '../inbound.js';
import { TemporaryFailure } from '../outcome.js';
import { isDatabaseUnavailable } from '../temporary.js';
import { localChatGuard } from './guard.js';
import { LocalInbox } from './inbox.js';
import { MAX_PHOTO_BYTES, storePhoto } from './photos.js';
import { closeSession, demoIdentity, newSignInIdentity, openSession, SESSION_HOURS, sessionFor, type LocalSession } from './sessions.js';

const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
// The page's one inline script is allowed by its hash; nothing else may run, load or frame it.
const scriptHash = createHash('sha256').update(/<script>([\s\S]*)<\/script>/.exec(page)![1]!).digest('base64');
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** `staff`, `chat` or anything else a caller adds is refused: who speaks is the session's business alone. */
const sendSchema = z
  .object({
    /** Client-generated id of this action: a retried POST is deduplicated by the core. */
    id: z.string().min(1).max(100),
    text: z.string().max(5000).optional(),
    data: z.string().max(256).optional(),
    location: z.object({ latitude: z.number(), longitude: z.number() }).strict().optional(),
  })
  .strict();
const signInSchema = z.object({ code: z.string().min(1).max(64) }).strict();
const photoSchema = z.object({ id: z.string().min(1).max(100), photo: z.string().min(1) }).strict();
const signOutSchema = z.object({ seen: z.number().int().min(0).optional() }).strict();
const demoSchema = z.object({ staff: z.number().int().positive() }).strict();

export interface LocalChannelDeps {
  core: BotCore;
  http: HttpServer;
  db: Db;
  config: Pick<Config, 'LOCAL_CHAT_ORIGIN' | 'DATA_DIR'>;
  clock?: () => Date;
}

export function createLocalChannel(deps: LocalChannelDeps): ChannelRuntime {
  const { core, http, db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const guard = localChatGuard(deps.config.LOCAL_CHAT_ORIGIN);
  const inbox = new LocalInbox();
  const texts = (locale: Locale) => localChatCatalogue[locale];

  /** Registers a /api/local route behind the guard; `signedIn` routes get the session and its person. */
  const open = (method: string, path: string, handler: (req: HttpRequest) => Promise<HttpResponse>, maxBody = 16 * 1024) =>
    http.route(
      method,
      path,
      async (req) => {
        guard.check(req);
        try {
          return await handler(req);
        } catch (error) {
          // The session check reads the database too: while it is down, the page is told to retry, as by the core.
          if (isDatabaseUnavailable(error)) return json(503, { error: coreText(core.defaultLocale, 'core.retryLater') });
          throw error;
        }
      },
      { maxBody },
    );
  const signedIn = (method: string, path: string, handler: (req: HttpRequest, session: LocalSession, actor: Actor) => Promise<HttpResponse>, maxBody?: number) =>
    open(
      method,
      path,
      async (req) => {
        const check = await sessionFor(db, guard.token(req), clock());
        const actor = check.ok ? await actorForIdentity(db, 'local', check.session.externalId) : undefined;
        if (!check.ok || !actor) return signInNeeded(check.ok ? 'none' : check.reason);
        return handler(req, check.session, actor);
      },
      maxBody,
    );

  const signInNeeded = async (reason: 'none' | 'demoEnded'): Promise<HttpResponse> => {
    const locale = core.defaultLocale;
    const demo = (await holdsOnlyDemoCounty(db)) ? await demoStaff(locale) : null;
    return json(401, {
      error: 'sign in first',
      reason,
      locale,
      texts: texts(locale),
      welcome: coreText(locale, 'onboard.welcome'),
      ...(reason === 'demoEnded' ? { message: localChatText(locale, 'demoEnded') } : {}),
      demo,
    });
  };

  const demoStaff = (locale: Locale) =>
    db
      .select({ id: staff.id, name: staff.name, role: staff.role, area: areas.name })
      .from(channelIdentities)
      .innerJoin(staff, eq(staff.id, channelIdentities.staffId))
      .innerJoin(areas, eq(areas.code, staff.areaCode))
      .where(and(eq(channelIdentities.channel, 'local'), like(channelIdentities.externalId, `${demoIdentityPrefix}%`)))
      .orderBy(asc(staff.id))
      .then((rows) => rows.map((r) => ({ ...r, label: `${r.name} · ${localChatText(locale, `role.${r.role}`)} · ${r.area}` })));

  /** The signed-in person for the page; a demo session also gets the demo list, to switch person. */
  const whoIs = async (actor: Actor, demo: boolean) => {
    const locale = resolveLocale(actor.locale, core.defaultLocale);
    const [area] = await db.select({ name: areas.name }).from(areas).where(eq(areas.code, actor.areaCode));
    const areaName = area?.name ?? actor.areaCode;
    const label = localChatText(locale, 'signedInAs', { name: actor.name, role: localChatText(locale, `role.${actor.role}`), area: areaName });
    return { locale, texts: texts(locale), me: { staffId: actor.staffId, name: actor.name, role: actor.role, area: areaName, label }, demo: demo ? await demoStaff(locale) : null };
  };

  const withSession = async (s: { externalId: string; staffId: number; demo: boolean }, body: Record<string, unknown>): Promise<HttpResponse> => {
    const { token } = await openSession(db, { ...s, now: clock() });
    const actor = await actorForIdentity(db, 'local', s.externalId);
    const response = json(200, { ...body, ...(actor ? await whoIs(actor, s.demo) : {}) });
    return { ...response, headers: { ...response.headers, 'set-cookie': guard.sessionCookie(token, SESSION_HOURS * 3600) } };
  };

  const handle = async (inbound: Inbound): Promise<HttpResponse> => {
    try {
      return json(200, await core.handle(inbound));
    } catch (error) {
      if (error instanceof TemporaryFailure) return json(503, { error: error.retryText });
      throw error;
    }
  };

  http.route('GET', '/', (req) => {
    guard.check(req);
    return { status: 200, headers: pageHeaders, body: page };
  });

  signedIn('GET', '/api/local/session', async (_req, session, actor) => json(200, await whoIs(actor, session.demo)));

  // Sign-in by invite code: the code goes to the core's onboarding as the first message of a fresh identity, so it
  // is checked, throttled (per client address) and audited exactly as on the messengers.
  open('POST', '/api/local/session', async (req) => {
    const parsed = signInSchema.safeParse(jsonBody(req));
    if (!parsed.success) throw new HttpError(400, 'expected {code: string}');
    const externalId = newSignInIdentity();
    const answer = await handle({ channel: 'local', id: randomUUID(), userId: externalId, chatId: externalId, throttleKey: guard.clientKey(req), event: { kind: 'text', text: parsed.data.code } });
    if (answer.status !== 200) return answer;
    const { replies } = JSON.parse(String(answer.body)) as { replies: unknown[] };
    const actor = await actorForIdentity(db, 'local', externalId);
    if (!actor) return json(401, { error: 'invite code not accepted', replies });
    return withSession({ externalId, staffId: actor.staffId, demo: false }, { replies });
  });

  open('POST', '/api/local/session/demo', async (req) => {
    const parsed = demoSchema.safeParse(jsonBody(req));
    if (!parsed.success) throw new HttpError(400, 'expected {staff: number}');
    const identity = await demoIdentity(db, parsed.data.staff);
    if (!identity) return signInNeeded('demoEnded');
    return withSession({ ...identity, demo: true }, {});
  });

  // `seen`: the last inbox message the page showed, so nothing it showed comes back at the next sign-in.
  signedIn('POST', '/api/local/signout', async (req, session, actor) => {
    const seen = signOutSchema.safeParse(jsonBody(req));
    if (!seen.success) throw new HttpError(400, 'expected {seen?: number}');
    await closeSession(db, session, clock());
    if (session.demo) inbox.read(session.externalId, seen.data.seen ?? 0);
    else inbox.forget(session.externalId);
    const locale = resolveLocale(actor.locale, core.defaultLocale);
    const response = json(200, { message: localChatText(locale, 'signedOut') });
    return { ...response, headers: { ...response.headers, 'set-cookie': guard.sessionCookie('', 0) } };
  });

  signedIn('POST', '/api/local/send', async (req, session) => {
    const parsed = sendSchema.safeParse(jsonBody(req));
    if (!parsed.success) throw new HttpError(400, 'invalid request');
    const body = parsed.data;
    const event = body.data !== undefined
      ? { kind: 'button' as const, data: body.data }
      : body.location
        ? { kind: 'location' as const, ...body.location }
        : { kind: 'text' as const, text: body.text ?? '' };
    const chat = session.externalId;
    return handle({ channel: 'local', id: body.id, userId: chat, chatId: chat, event });
  });

  signedIn(
    'POST',
    '/api/local/photo',
    async (req, session, actor) => {
      const parsed = photoSchema.safeParse(jsonBody(req));
      if (!parsed.success) throw new HttpError(400, 'expected {id, photo: base64}');
      const stored = await storePhoto(deps.config.DATA_DIR, Buffer.from(parsed.data.photo, 'base64'));
      if ('refused' in stored) {
        const locale = resolveLocale(actor.locale, core.defaultLocale);
        return json(stored.refused === 'tooBig' ? 413 : 415, { error: localChatText(locale, stored.refused === 'tooBig' ? 'photoTooBig' : 'notAPicture', { mb: MAX_PHOTO_BYTES / 1024 / 1024 }) });
      }
      const chat = session.externalId;
      return handle({ channel: 'local', id: parsed.data.id, userId: chat, chatId: chat, event: { kind: 'photo', fileId: stored.fileId } });
    },
    Math.ceil((MAX_PHOTO_BYTES * 4) / 3) + 1024,
  );

  signedIn('GET', '/api/local/inbox', async (req, session) => {
    const after = Number(req.query.get('after') ?? 0);
    return json(200, { messages: inbox.read(session.externalId, Number.isFinite(after) ? after : 0) });
  });

  return {
    name: 'local',
    async start() {},
    async stop() {},
    async deliver(chatId, out): Promise<DeliveryResult> {
      return { ok: true, messageId: String(inbox.put(chatId, out)) };
    },
    health: () => ({ running: true }),
  };
}
