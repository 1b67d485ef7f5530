// Many caseworkers at once, each going through the visit conversation as fast as the bot answers (or with a think
// time between answers): every update is handed to a real grammY Bot (`bot.handleUpdate`) and timed from the call
// to its end (the bot's answer sent).
import type { Update } from 'grammy/types';
import type { LocalBotApi } from './localBotApi.js';
import { savedMarker, visitScript, type Action } from './script.js';

export interface UpdateHandler {
  handleUpdate(update: Update): Promise<void>;
}

export interface LoadResult {
  updates: number;
  wallMs: number;
  /** Latency of every update, ms. */
  latencies: number[];
  /** Latencies by step number (1-based). */
  byStep: Map<number, number[]>;
  /** Conversations whose last message said the visit was saved. */
  completed: number;
  /** CPU time this process spent (user + system), ms: the bot's own work, as the database runs elsewhere. */
  cpuMs: number;
}

export interface LoadOptions {
  bot: UpdateHandler;
  api: LocalBotApi;
  telegramIds: readonly number[];
  conversationsPerUser: number;
  script?: readonly Action[];
  /** Checks each conversation ended with the visit saved (off for the bare-SQL handler). */
  expectSaved?: boolean;
  /** A pause after each answer before the next update, as a person reads and taps (0: closed loop, saturation). */
  thinkMs?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { bot, api } = options;
  const script = options.script ?? visitScript;
  const latencies: number[] = [];
  const byStep = new Map<number, number[]>();
  let completed = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const n = options.telegramIds.length;
  await Promise.all(
    options.telegramIds.map(async (id, u) => {
      const user = api.user(id);
      // With a think time, people start a moment apart, as they would: not every first tap in the same millisecond
      // (that burst, not the bot, made the first step's latency in earlier runs — the bare-SQL floor's too).
      if (options.thinkMs) await new Promise((resolve) => setTimeout(resolve, (options.thinkMs! * u) / n));
      for (let c = 0; c < options.conversationsPerUser; c++) {
        for (const [i, action] of script.entries()) {
          const update = 'say' in action ? api.text(user, action.say) : api.press(user, 'press' in action ? { label: action.press } : { index: action.pressIndex });
          const t0 = performance.now();
          await bot.handleUpdate(update);
          const ms = performance.now() - t0;
          latencies.push(ms);
          const list = byStep.get(i + 1) ?? [];
          list.push(ms);
          byStep.set(i + 1, list);
          if (options.thinkMs) await new Promise((resolve) => setTimeout(resolve, options.thinkMs));
        }
        if (options.expectSaved !== false) {
          // The receipt may be followed by the menu, so look at the last few texts, not only the newest.
          const recent = api.history.get(id) ?? [];
          if (!recent.some((text) => text.includes(savedMarker))) throw new Error(`user ${id}: the conversation did not end saved; the bot said: ${recent.join(' | ')}`);
          completed++;
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { updates: latencies.length, wallMs: performance.now() - started, latencies, byStep, completed, cpuMs: (used.user + used.system) / 1000 };
}
