// The peer: the same log-a-visit conversation written the way grammY's documentation teaches — the conversations
// plugin (`@grammyjs/conversations` 2.x: a conversation is one async function, replayed on every update), its state
// kept in PostgreSQL by the official storage adapter (`@grammyjs/storage-psql`, on a `pg` pool), database reads
// wrapped in `conversation.external` so that replays do not repeat them. It asks the same questions with the same
// button labels and writes the same visit row and child update at the end. What it does not do (and ours does):
// deduplicate redelivered updates, order one user's updates across instances, audit, version its buttons.
import { conversations, createConversation, type Conversation, type ConversationFlavor } from '@grammyjs/conversations';
import { PsqlAdapter } from '@grammyjs/storage-psql';
import { Bot, Context, InlineKeyboard, type Transformer } from 'grammy';
import type pg from 'pg';

type OuterContext = ConversationFlavor<Context>;
type VisitConversation = Conversation<OuterContext, Context>;

interface Child {
  id: number;
  name: string;
  risk_level: string;
  last_visit_on: string | null;
}

const levels = [['fine', '正常'], ['concern', '需关注'], ['serious', '严重']] as const;
const dimensions = [['health', '健康状况'], ['mental', '精神状态'], ['education', '教育环境'], ['hygiene', '卫生环境'], ['living', '居住环境'], ['guardianship', '监护情况']] as const;
const kinds = [['home', '入户'], ['school', '到校'], ['phone', '电话'], ['video', '视频']] as const;
const risks = [['green', '🟢 绿色'], ['yellow', '🟡 黄色'], ['orange', '🟠 橙色'], ['red', '🔴 红色']] as const;
const riskDays: Record<string, number> = { red: 7, orange: 14, yellow: 30, green: 90 };

const day = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (iso: string, n: number) => day(new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000));

function keyboard(options: readonly (readonly [string, string])[], columns: number): InlineKeyboard {
  const kb = new InlineKeyboard();
  options.forEach(([value, label], i) => {
    kb.text(label, value);
    if ((i + 1) % columns === 0) kb.row();
  });
  return kb;
}

/** Asks with buttons; waits for one of them (anything else: asked to tap a button); shows the answer. */
async function choose(conversation: VisitConversation, ctx: Context, question: string, options: readonly (readonly [string, string])[], columns = 2): Promise<string> {
  await ctx.reply(question, { reply_markup: keyboard(options, columns) });
  const answer = await conversation.waitForCallbackQuery(options.map(([value]) => value), {
    otherwise: (c) => c.reply('请点击按钮选择。'),
  });
  const value = answer.callbackQuery.data;
  await answer.answerCallbackQuery();
  await answer.editMessageText(`${question}\n→ ${options.find(([v]) => v === value)![1]}`);
  return value;
}

async function typed(conversation: VisitConversation, ctx: Context, question: string): Promise<string> {
  await ctx.reply(question);
  const answer = await conversation.waitFor('message:text', { otherwise: (c) => c.reply('请输入文字。') });
  return answer.message.text.slice(0, 500);
}

/**
 * `transform` is installed on the bot's Api and, since a conversation builds its own Api on each replay, on the
 * conversation's too (through the plugin's `plugins` option, as its documentation says for API transformers).
 */
export function createPeerVisitBot(token: string, pool: pg.Pool, storage: PsqlAdapter<unknown>, transform?: Transformer): Bot<OuterContext> {
  async function visit(conversation: VisitConversation, ctx: Context): Promise<void> {
    const telegramId = String(ctx.from!.id);
    const caseload = await conversation.external(async () => {
      const { rows } = await pool.query<Child & { staff_id: number }>(
        `select c.id, c.name, c.risk_level, c.last_visit_on::text, s.id as staff_id
           from channel_identities ci join staff s on s.id = ci.staff_id
           join assignments a on a.staff_id = s.id and a.ended_at is null
           join children c on c.id = a.child_id and c.status = 'active'
          where ci.channel = 'telegram' and ci.external_id = $1
          order by c.next_visit_due nulls first, c.id limit 6`,
        [telegramId],
      );
      return rows;
    });
    if (caseload.length === 0) {
      await ctx.reply('你的名下没有儿童。');
      return;
    }
    const staffId = caseload[0]!.staff_id;
    const childId = Number(await choose(conversation, ctx, '记录走访 — 选择儿童：', caseload.map((c) => [`c${c.id}`, c.name] as const)).then((v) => v.slice(1)));
    const child = caseload.find((c) => c.id === childId)!;
    const today = await conversation.now().then((ms) => day(new Date(ms)));
    const date = await choose(conversation, ctx, `${child.name}。走访日期？`, [[today, `今天 ${today.slice(5)}`], [addDays(today, -1), '昨天']]);
    const kind = await choose(conversation, ctx, '走访方式？', kinds, 4);
    const seen = await choose(conversation, ctx, '见到孩子本人了吗？', [['yes', '见到本人'], ['no', '未见到']]);
    await choose(conversation, ctx, `与上次走访（${child.last_visit_on}）相比：`, [['same', '情况无变化'], ['each', '逐项填写']]);
    const dims: Record<string, { level: string; note?: string }> = {};
    for (const [key, name] of dimensions) {
      const level = await choose(conversation, ctx, `${name}？`, levels, 3);
      dims[key] = level === 'fine' ? { level } : { level, note: await typed(conversation, ctx, `请简要说明（${name}）：`) };
    }
    const agreement = await choose(conversation, ctx, '委托监护责任确认书是否已签订？', [['yes', '是'], ['no', '否']]);
    const needs = await typed(conversation, ctx, '发现的需求：');
    const help = await typed(conversation, ctx, '提供的帮助：');
    await choose(conversation, ctx, '可以发送现场位置或照片，完成后点“完成”。', [['done', '完成（0个附件）']]);
    const risk = await choose(conversation, ctx, `风险等级：上次 ${child.risk_level}。现在？`, risks, 4);
    const policyDay = addDays(date, riskDays[risk]!);
    const next = await choose(conversation, ctx, `下次走访：按政策为 ${policyDay}。`, [[policyDay, policyDay.slice(5)]]);
    const confirmed = await choose(conversation, ctx, `请确认：\n${child.name} · ${date} · ${kind}\n下次走访：${next}`, [['y', '✅ 确认提交'], ['x', '✕ 取消']]);
    if (confirmed !== 'y') {
      await ctx.reply('已取消。');
      return;
    }
    const ref = await conversation.external(async () => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const year = Number(date.slice(0, 4));
        const { rows } = await client.query<{ last: number }>(
          `insert into ref_counters (prefix, year, last) values ('ZF', $1, 1)
             on conflict (prefix, year) do update set last = ref_counters.last + 1 returning last`,
          [year],
        );
        const ref = `ZF-${year}-${String(rows[0]!.last).padStart(6, '0')}`;
        await client.query(
          `insert into visits (ref, child_id, staff_id, visited_on, kind, child_seen, dimensions, guardianship_agreement, needs,
                               help_given, risk_before, risk_after, next_visit_on, channel)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'telegram')`,
          [ref, child.id, staffId, date, kind, seen === 'yes', JSON.stringify(dims), agreement === 'yes', needs, help, child.risk_level, risk, next],
        );
        await client.query('update children set risk_level = $1, last_visit_on = $2, next_visit_due = $3, updated_at = now() where id = $4', [risk, date, next, child.id]);
        await client.query('commit');
        return ref;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    });
    await ctx.reply(`✅ 已保存（${ref}）。${child.name}下次走访：${next}。`);
  }

  const bot = new Bot<OuterContext>(token);
  if (transform) bot.api.config.use(transform);
  const plugins = transform
    ? [async (ctx: Context, next: () => Promise<void>) => {
        ctx.api.config.use(transform);
        await next();
      }]
    : [];
  bot.use(conversations({ storage: { type: 'key', version: 1, adapter: storage as never }, plugins }));
  bot.use(createConversation(visit, 'visit'));
  bot.command('visit', (ctx) => ctx.conversation.enter('visit'));
  return bot;
}

export async function createPeerStorage(pool: pg.Pool): Promise<PsqlAdapter<unknown>> {
  return PsqlAdapter.create({ tableName: 'grammy_conversations', client: pool as never });
}
