import { describe, expect, it } from 'vitest';
import { clip, normalizeDigits } from '../../src/domain/text.js';

describe('normalizeDigits', () => {
  it.each([
    ['２０２６－１１－２０', '2026-11-20'],
    ['１１月２０日', '11月20日'],
    ['ＡＢＣｘ／．', 'ABCx/.'],
    ['a\u3000b', 'a b'],
    ['plain 123', 'plain 123'],
    ['', ''],
  ])('%j → %j', (input, out) => {
    expect(normalizeDigits(input)).toBe(out);
  });
});

describe('clip', () => {
  it.each([
    ['hello', 10, 'hello'],
    ['hello', 5, 'hello'],
    ['hello world', 6, 'hello…'],
    ['留守儿童探访记录', 4, '留守儿…'],
    ['a😀b😀c', 3, 'a😀…'],
    // Grapheme clusters, not code points: a family emoji, a flag and a keycap are each one character.
    ['👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 2, '👨‍👩‍👧‍👦…'],
    ['🇨🇳🇨🇳🇨🇳', 2, '🇨🇳…'],
    ['1️⃣2️⃣3️⃣', 3, '1️⃣2️⃣3️⃣'],
    ['风险等级：上次 🟡 黄色。现在', 10, '风险等级：上次 🟡…'],
    ['abc', 0, ''],
    ['abc', 1, '…'],
  ])('%j to %d → %j', (input, max, out) => {
    expect(clip(input, max)).toBe(out);
  });
});
