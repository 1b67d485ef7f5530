// Issue 11, finding 4: personal data never reaches the logs, not even inside a database error. drizzle writes the
// whole statement and its parameters into its error's message; the drivers keep them in `params`, `query`, `detail`.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children } from '../../src/db/schema.js';
import { SecureService } from './service.js';

const PHONE = '13912345678';
const ID_NUMBER = '11010520150308002X';
const GUARDIAN = '钟守密';

describe('issue 11 · logs', () => {
  let service: SecureService;
  beforeAll(async () => {
    service = await SecureService.start();
  });
  afterAll(() => service.stop());

  it('finding 4: failed inserts carrying a phone and an ID number log the error code, constraint and table, never the values', async () => {
    // A real constraint violation on a real insert: from now on no registration can be stored.
    await service.db.execute(sql`alter table children add constraint no_new_registrations check (status <> 'pending') not valid`);
    const li = await service.telegramUser(await service.staffId('李主任'));
    await service.say(li, '/register');
    await service.say(li, '钟小明');
    await service.press(li, '男');
    await service.say(li, '2015-03-08');
    await service.press(li, '柳树村');
    await service.press(li, '农村留守儿童');
    await service.press(li, '完成');
    await service.say(li, GUARDIAN);
    await service.press(li, '外祖母');
    await service.say(li, PHONE);
    await service.press(li, '黄');
    const confirmed = await service.press(li, '确认提交');
    expect(confirmed.texts.join('\n')).toContain('系统暂时无法保存');

    // The roster's columns, ID number included, in an insert that fails on its foreign key, logged as the service logs.
    const failed = await service.db
      .insert(children)
      .values({ name: '钟小红', idNumber: ID_NUMBER, guardianName: GUARDIAN, guardianPhone: PHONE, areaCode: 'no-such-village' })
      .catch((error: unknown) => error);
    service.logger.error({ err: failed }, 'roster row not stored');

    const log = service.logLines.join('\n');
    for (const secret of [PHONE, ID_NUMBER, GUARDIAN, '钟小明', '钟小红']) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/insert into|params:/i);
    const errors = service.logLines.map((l) => JSON.parse(l) as { err?: Record<string, unknown> }).filter((l) => l.err);
    expect(errors.map((l) => l.err)).toEqual([
      expect.objectContaining({ code: '23514', constraint: 'no_new_registrations', table: 'children' }),
      expect.objectContaining({ code: '23503', constraint: 'children_area_code_areas_code_fk', table: 'children' }),
    ]);
  });
});
