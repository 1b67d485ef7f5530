// Rich text → Telegram HTML: escaping and splitting, checked against the fake server's own HTML parser (the same
// rules the Bot API applies), including with generated text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bold, plain, richToPlain, type Rich } from '../../src/bot/message.js';
import { escapeHtml, inlineKeyboard, InvalidButtonError, richToHtml, splitRich } from '../../src/bot/telegram/render.js';
import { parseTelegramHtml } from './telegramHtml.js';

const span = fc.record({
  text: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('<b>', '&amp;', '\n', '王小明\n', '😀', '</i>', '&')),
  bold: fc.boolean(),
  italic: fc.boolean(),
});

describe('Telegram HTML rendering', () => {
  it('escapes <, > and & in every span and wraps bold and italic', () => {
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href="x"&gt;&amp;&lt;/a&gt;');
    expect(richToHtml([plain('儿童：'), bold('<王小明>'), { text: 'a&b', italic: true, bold: true }])).toBe(
      '儿童：<b>&lt;王小明&gt;</b><b><i>a&amp;b</i></b>',
    );
  });

  it('whatever the text, Telegram parses the HTML back to exactly that text', () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 8 }), (rich: Rich) => {
        expect(parseTelegramHtml(richToHtml(rich)).text).toBe(richToPlain(rich));
      }),
    );
  });

  it('splits only at line breaks when lines fit, each part under the limit, losing nothing', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `第${i}行 ${'儿'.repeat(i)}`);
    const parts = splitRich([plain(lines.join('\n'))], 200);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(richToPlain(part).length).toBeLessThanOrEqual(200);
    expect(parts.map(richToPlain).join('\n')).toBe(lines.join('\n'));
  });

  it('generated texts: every part fits, parses, and the parts rejoin to the whole', () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 30 }), fc.integer({ min: 20, max: 400 }), (rich: Rich, limit) => {
        const parts = splitRich(rich, limit);
        for (const part of parts) {
          const text = parseTelegramHtml(richToHtml(part)).text;
          expect(text.length).toBeLessThanOrEqual(limit);
          expect(text.length).toBeGreaterThan(0);
        }
        const squash = (s: string) => s.replace(/\s+/g, '');
        expect(squash(parts.map(richToPlain).join(''))).toBe(squash(richToPlain(rich)));
      }),
    );
  });

  it('never cuts an emoji (surrogate pair) in half when a line must be cut', () => {
    const parts = splitRich([plain('😀'.repeat(100))], 15);
    for (const part of parts) expect(richToPlain(part)).toMatch(/^(😀)+$/u);
  });

  it('keeps bold across a split line', () => {
    const parts = splitRich([bold('甲'.repeat(30))], 12);
    expect(parts.map(richToHtml)).toEqual(['<b>甲甲甲甲甲甲甲甲甲甲甲甲</b>', '<b>甲甲甲甲甲甲甲甲甲甲甲甲</b>', '<b>甲甲甲甲甲甲</b>']);
  });

  it('builds inline keyboards and refuses callback data over 64 bytes (a Chinese character is 3)', () => {
    expect(inlineKeyboard([[{ label: '是', data: 'q.yes' }], []])).toEqual({ inline_keyboard: [[{ text: '是', callback_data: 'q.yes' }]] });
    expect(inlineKeyboard(undefined)).toBeUndefined();
    expect(() => inlineKeyboard([[{ label: 'x', data: '儿'.repeat(22) }]])).toThrow(InvalidButtonError);
    expect(() => inlineKeyboard([[{ label: 'x', data: 'a'.repeat(64) }]])).not.toThrow();
  });
});
