// Issue 12, conversation polish: taps that arrive late. On Telegram and Feishu the answered keyboard is removed,
// so these come from two quick taps racing the edit (or an old message scrolled back to); the core answers them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { CoreDriver } from '../support/chat.js';
import { databaseTargets } from '../support/db.js';
import { testCore } from '../support/core.js';
import { demoWorld, TestClock } from '../support/world.js';

describe.each(databaseTargets())('late taps on $name', (target) => {
  let database: Database;
  let chat: CoreDriver;

  beforeEach(async () => {
    database = await target.openDemo();
    chat = new CoreDriver(testCore(database.db, { clock: new TestClock().now }), await demoWorld(database.db), database.db);
  });
  afterEach(() => database.close());

  it('a second tap on ✅ says the form is already saved', async () => {
    await chat.say('李主任', '/visit 王小明');
    await chat.press('李主任', '今天');
    await chat.press('李主任', '入户');
    await chat.press('李主任', '见到本人，情况无变化');
    const confirm = chat.buttonData('李主任', '确认提交');
    await chat.send('李主任', { kind: 'button', data: confirm });
    const again = await chat.send('李主任', { kind: 'button', data: confirm });
    expect(again.replies.map((r) => r.text.map((s) => s.text).join(''))).toEqual(['已保存，无需重复提交。']);
    expect(again.toast).toBe('已保存，无需重复提交。');
  });

  it('an old button points to the live question instead of showing a second keyboard', async () => {
    await chat.say('李主任', '/visit 王小明');
    const today = chat.buttonData('李主任', '今天');
    await chat.press('李主任', '今天');
    await chat.press('李主任', '入户');
    const late = await chat.send('李主任', { kind: 'button', data: today });
    expect(late.replies).toHaveLength(1);
    expect(late.replies[0]!.text.map((s) => s.text).join('')).toBe('这个按钮已过期。请回答最新的问题（在下面）：见到孩子本人了吗？');
    expect(late.replies[0]!.buttons ?? []).toEqual([]);
  });

  it('a reminder’s 记录 starts the visit dated today: seen and unchanged in 4 taps', async () => {
    const kid = 1; // 王小明, on 李主任's caseload
    await chat.send('李主任', { kind: 'button', data: `v.due.${kid}` });
    await chat.press('李主任', '入户');
    const summary = await chat.press('李主任', '见到本人，情况无变化');
    expect(summary.map((m) => m.text).join('\n')).toContain('王小明 · 11月23日 · 入户 · 见到本人');
    await chat.press('李主任', '确认提交');
    const saved = chat.lastOutcome!.replies.map((r) => r.text.map((s) => s.text).join('')).join('\n');
    expect(saved).toContain('✅ 已保存（ZF-2026-000001）');
  });
});
