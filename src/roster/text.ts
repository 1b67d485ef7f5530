// Cleaning what people type into spreadsheets: full-width digits and letters, stray spaces (including the
// ideographic space), invisible marks that Excel and WPS leave behind.

const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;
const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])\\s+(?=[${CJK}])`, 'g');

/** NFKC (full-width → ASCII, （）→ ()), invisible marks removed, whitespace trimmed and collapsed. */
export function cleanText(value: string): string {
  return value.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** A person's name: cleaned, and spaces between Chinese characters dropped (王 小明 → 王小明). */
export function cleanName(value: string): string {
  return cleanText(value).replace(SPACE_BETWEEN_CJK, '');
}

/** Digits-only codes (division codes, phone numbers): every space, dash and dot removed. */
export function cleanCode(value: string): string {
  return cleanText(value).replace(/[\s\-.·]/g, '');
}

/** A header cell, for matching against the known aliases. */
export function headerKey(value: string): string {
  return cleanText(value)
    .toLowerCase()
    .replace(/[\s_\-*:：]/g, '');
}

/** Splits a list cell on the separators people use: 、 , ; / and their full-width forms. */
export function splitList(value: string): string[] {
  return cleanText(value)
    .split(/[、,;/|，；]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * Display width in a terminal: CJK and full-width characters take two columns. Used to align the CLI's tables.
 */
export function displayWidth(value: string): number {
  let width = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    width += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ? 2 : 1;
  }
  return width;
}
