// Text helpers shared by the parsers: people type on phones with Chinese IMEs, which often produce full-width
// characters (２０２６－１１－２０, Ｘ), so every parser folds them to ASCII first.

/** Full-width ASCII variants (U+FF01–U+FF5E) and the ideographic space to their ASCII equivalents. */
export function normalizeDigits(s: string): string {
  return s.replace(/[\uFF01-\uFF5E\u3000]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code === 0x3000 ? ' ' : String.fromCharCode(code - 0xfee0);
  });
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Shorten to at most `max` characters as people see them (grapheme clusters: an emoji such as 🟡, a flag or a
 * family of four is one character and never split), ending with an ellipsis when something was cut.
 */
export function clip(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = Array.from(graphemes.segment(s), (g) => g.segment);
  if (chars.length <= max) return s;
  return chars.slice(0, max - 1).join('') + '…';
}
