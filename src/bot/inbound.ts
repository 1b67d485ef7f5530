// What every adapter hands the core: one user action, already authenticated by the adapter's transport.
import { z } from 'zod';

export const channelNames = ['telegram', 'feishu', 'local'] as const;

export const inboundSchema = z.object({
  channel: z.enum(channelNames),
  /** Unique per delivery on that channel (Telegram update_id, Feishu event_id, …): the dedupe key. */
  id: z.string().min(1).max(200),
  /** The platform's user id (Telegram user id, Feishu open_id, local staff key). */
  userId: z.string().min(1).max(200),
  /** The chat to answer in. */
  chatId: z.string().min(1).max(200),
  chatType: z.enum(['private', 'group']).default('private'),
  /** The platform's idea of the user's language (e.g. `en`, `zh-CN`), used until a staff record says otherwise. */
  languageHint: z.string().max(20).optional(),
  /**
   * Who is guessing, for throttling invite codes, when the platform user id says too little: the local chat makes
   * a fresh identity for every sign-in, so it passes the client's address. Default: the platform user.
   */
  throttleKey: z.string().min(1).max(200).optional(),
  /** Display name the platform gives; only shown back to the user themselves. */
  displayName: z.string().max(200).optional(),
  event: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('text'), text: z.string() }),
    z.object({ kind: z.literal('button'), data: z.string().max(256) }),
    z.object({ kind: z.literal('location'), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
    z.object({ kind: z.literal('photo'), fileId: z.string().min(1).max(500), caption: z.string().max(2000).optional() }),
  ]),
});

export type Inbound = z.input<typeof inboundSchema>;
export type ParsedInbound = z.output<typeof inboundSchema>;
export type InboundEvent = ParsedInbound['event'];
