// A stand-in for BotCore in adapter tests: records what it receives, deduplicates by id like the real core, and
// answers with scripted outcomes. Whole-flow tests use the real core instead.
import type { Inbound } from '../../src/bot/inbound.js';
import { bold, message, plain } from '../../src/bot/message.js';
import type { Outcome } from '../../src/bot/outcome.js';

export class ScriptedCore {
  readonly received: Inbound[] = [];
  private readonly seen = new Set<string>();
  failure: Error | undefined;

  constructor(public respond: (inbound: Inbound) => Outcome = echo) {}

  async handle(inbound: Inbound): Promise<Outcome> {
    if (this.failure) throw this.failure;
    const key = `${inbound.channel}:${inbound.id}`;
    if (this.seen.has(key)) return { replies: [], locale: 'zh-CN', duplicate: true };
    this.seen.add(key);
    this.received.push(inbound);
    return this.respond(inbound);
  }
}

/** Text → a question with two buttons; a press → the question resolved, a toast and a confirmation. */
export function echo(inbound: Inbound): Outcome {
  const e = inbound.event;
  switch (e.kind) {
    case 'text':
      return {
        locale: 'zh-CN',
        replies: [message([plain('收到：'), bold(e.text)], [[{ label: '是', data: 'q.yes' }, { label: '否', data: 'q.no' }]])],
      };
    case 'button':
      return {
        locale: 'zh-CN',
        resolved: { text: [plain('问题'), plain(' — '), bold(e.data === 'q.yes' ? '是' : '否')] },
        toast: '已记录',
        replies: [message(`按下：${e.data}`)],
      };
    case 'location':
      return { locale: 'zh-CN', replies: [message(`位置：${e.latitude},${e.longitude}`)] };
    case 'photo':
      return { locale: 'zh-CN', replies: [message(`照片：${e.fileId} ${e.caption ?? ''}`)] };
  }
}
