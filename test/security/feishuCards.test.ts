// Issue 11, finding 7: a Feishu card click is answered in the operator's own private chat, and the group refusal
// follows the chat the card was really pressed in — Feishu's callback does not say, so the service asks
// (GET /im/v1/chats/:id, chat_mode). A card forwarded into a group and pressed there reads nothing out to the group.
// The whole service (startApp, Feishu webhook mode, real Lark SDK) against the fake open platform.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createInvite } from '../../src/db/invites.js';
import { staff } from '../../src/db/schema.js';
import { coreText } from '../../src/i18n/core.js';
import { createLogger } from '../../src/logger.js';
import { APP_ID, APP_SECRET, cardButtons, ENCRYPT_KEY, FakeFeishu, VERIFICATION_TOKEN, visibleText } from '../feishu/fakeFeishu.js';
import { eventually } from '../feishu/harness.js';
import { freePort } from '../robustness/support/service.js';

const GROUP = 'oc_group_workers';
const REFUSED = coreText('zh-CN', 'core.groupRefused');

describe('issue 11 · Feishu cards', () => {
  let app: App;
  let fake: FakeFeishu;
  let dir: string;
  let base: string;
  const li = { openId: 'ou_li', chatId: 'oc_p2p_li' };

  beforeAll(async () => {
    fake = await new FakeFeishu().start();
    dir = mkdtempSync(join(tmpdir(), 'cw-sec-feishu-'));
    const port = await freePort();
    app = await startApp(
      loadConfig({
        PORT: String(port),
        DATA_DIR: dir,
        SEED_DEMO: '1',
        LOCAL_CHAT: '0',
        QUIET_HOURS: '',
        FEISHU_APP_ID: APP_ID,
        FEISHU_APP_SECRET: APP_SECRET,
        FEISHU_DOMAIN: fake.url,
        FEISHU_MODE: 'webhook',
        FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
        FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
      }),
      { logger: createLogger('silent'), startScheduler: false },
    );
    base = `http://127.0.0.1:${port}`;
    const [row] = await app.database.db.select().from(staff).where(eq(staff.name, '李主任'));
    const { code } = await createInvite(app.database.db, { role: row!.role, areaCode: row!.areaCode, staffId: row!.id, now: new Date() });
    await fake.sendWebhook(`${base}/feishu/events`, fake.messageEvent({ ...li, content: { text: code } }));
    await eventually(() => fake.chat(li.chatId).some((m) => visibleText(m).includes('李主任')));
    fake.group(GROUP);
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finding 7: a card pressed in a group is refused as a group and answered privately; in the private chat it works', async () => {
    await fake.sendWebhook(`${base}/feishu/events`, fake.messageEvent({ ...li, content: { text: '/status' } }));
    // The menu card after binding has buttons too: take the child picker that /status opened.
    const card = await eventually(() => fake.chat(li.chatId).find((m) => visibleText(m).includes('选择儿童') && cardButtons(m).length > 2));
    const child = cardButtons(card)[0]!;

    // The same card, forwarded into a work group and pressed there (by its owner).
    const inGroup = await fake.sendWebhook(`${base}/feishu/cards`, fake.cardActionEvent({ openId: li.openId, chatId: GROUP, messageId: card.messageId, value: child.value }));
    expect(inGroup.status).toBe(200);
    expect(inGroup.body.card).toBeUndefined();
    await eventually(() => fake.chat(li.chatId).some((m) => visibleText(m).includes(REFUSED)));
    expect(fake.chat(GROUP)).toEqual([]);
    expect(fake.chatLookups).toContain(GROUP);
    const name = child.label.split(' ')[0]!;
    expect(fake.messages.filter((m) => visibleText(m).includes('监护人')).map(visibleText)).toEqual([]);

    // Pressed where it was sent — the private chat, which Feishu confirms is p2p — the child's file opens there.
    const before = fake.chat(li.chatId).length;
    await fake.click(`${base}/feishu/cards`, card, child.label);
    await eventually(() => fake.chat(li.chatId).slice(before).some((m) => visibleText(m).includes(name)) || visibleText(card).includes(name));
    expect(fake.chat(GROUP)).toEqual([]);
  });
});
