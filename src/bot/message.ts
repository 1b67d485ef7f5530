// Channel-neutral messages. The flows produce these; each adapter renders them (HTML for Telegram, cards for
// Feishu, DOM for the local chat) and escapes every span itself, so user-supplied text is never interpreted.

export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
}

/** Rich text: spans, with `\n` inside span text for line breaks. */
export type Rich = Span[];

export interface Button {
  label: string;
  /** Short ASCII reference (≤ 64 bytes) that the server re-checks on every press; never trusted as-is. */
  data: string;
}

export interface OutImage {
  /** PNG bytes, base64 (so messages stay JSON for the outbox). */
  pngBase64: string;
  alt: string;
}

export interface OutMessage {
  text: Rich;
  /** Rows of buttons. */
  buttons?: Button[][];
  /** A chart or picture to send with the text (digests). */
  image?: OutImage;
  /**
   * The question takes a calendar day. A channel with a date picker (Feishu cards) offers one; the day picked is
   * sent back as button data: `data` followed by the day as eight digits (YYYYMMDD). Others rely on the buttons and
   * typed dates.
   */
  datePicker?: { data: string; initial: string };
}

export const plain = (text: string): Span => ({ text });
export const bold = (text: string): Span => ({ text, bold: true });

/** The text of a rich message without formatting (logs, tests, fallbacks). */
export function richToPlain(rich: Rich): string {
  return rich.map((s) => s.text).join('');
}

/** Builds a message from a template literal-like list of strings and spans. */
export function rich(...parts: (string | Span | Rich | false | null | undefined)[]): Rich {
  const out: Rich = [];
  for (const part of parts) {
    if (part === false || part === null || part === undefined || part === '') continue;
    if (typeof part === 'string') out.push({ text: part });
    else if (Array.isArray(part)) out.push(...part);
    else out.push(part);
  }
  return out;
}

export function message(text: Rich | string, buttons?: Button[][]): OutMessage {
  const body = typeof text === 'string' ? [plain(text)] : text;
  return buttons && buttons.length > 0 ? { text: body, buttons } : { text: body };
}

const BYTE_LIMIT = 64;
/** Button data must fit Telegram's callback_data (1–64 bytes); the core only makes ASCII references. */
export function isValidButtonData(data: string): boolean {
  return /^[\x21-\x7e]+$/.test(data) && data.length <= BYTE_LIMIT;
}
