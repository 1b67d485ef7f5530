// Channel-neutral messages → Telegram HTML. Every span is escaped here, so nothing a user typed (a child's name,
// a note) can be read as markup. Long texts are split at line breaks into parts Telegram accepts.
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Button, Rich, Span } from '../message.js';

/** Telegram's limit on a message's text after entity parsing. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit on a photo caption after entity parsing. */
export const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_BYTES = 64;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function spanToHtml(span: Span): string {
  let html = escapeHtml(span.text);
  if (html === '') return '';
  if (span.italic) html = `<i>${html}</i>`;
  if (span.bold) html = `<b>${html}</b>`;
  return html;
}

export function richToHtml(rich: Rich): string {
  return rich.map(spanToHtml).join('');
}

/** Visible length as Telegram counts it (UTF-16 code units of the text without tags). */
export function visibleLength(rich: Rich): number {
  return rich.reduce((n, s) => n + s.text.length, 0);
}

/** Splits rich text into lines, each keeping its spans' formatting; the `\n` stays at the end of its line. */
function richLines(rich: Rich): Rich[] {
  const lines: Rich[] = [[]];
  for (const span of rich) {
    const pieces = span.text.split('\n');
    pieces.forEach((piece, i) => {
      const last = i === pieces.length - 1;
      const text = last ? piece : `${piece}\n`;
      if (text !== '') lines[lines.length - 1]!.push({ ...span, text });
      if (!last) lines.push([]);
    });
  }
  return lines.filter((line) => line.length > 0);
}

/** Cuts one over-long line into pieces of at most `limit` units, never inside a surrogate pair. */
function cutLine(line: Rich, limit: number): Rich[] {
  const out: Rich[] = [];
  let current: Rich = [];
  let size = 0;
  for (const span of line) {
    let rest = span.text;
    while (rest.length > 0) {
      let take = Math.min(rest.length, limit - size);
      // Prefer breaking after a space when a word would be cut.
      if (take < rest.length) {
        const space = rest.lastIndexOf(' ', take - 1);
        if (space > take / 2) take = space + 1;
        const code = rest.charCodeAt(take - 1);
        if (code >= 0xd800 && code <= 0xdbff) take -= 1;
      }
      if (take <= 0) {
        out.push(current);
        current = [];
        size = 0;
        continue;
      }
      current.push({ ...span, text: rest.slice(0, take) });
      size += take;
      rest = rest.slice(take);
      if (size >= limit) {
        out.push(current);
        current = [];
        size = 0;
      }
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Packs lines into parts of at most `limit` visible units, splitting only at line breaks when it can. */
export function splitRich(rich: Rich, limit: number = MESSAGE_LIMIT): Rich[] {
  const parts: Rich[] = [];
  let current: Rich = [];
  let size = 0;
  const flush = () => {
    const trimmed = trimTrailingNewline(current);
    if (visibleLength(trimmed) > 0) parts.push(trimmed);
    current = [];
    size = 0;
  };
  for (const line of richLines(rich)) {
    const length = visibleLength(line);
    if (length > limit) {
      flush();
      for (const piece of cutLine(line, limit)) {
        parts.push(trimTrailingNewline(piece));
      }
      continue;
    }
    if (size + length > limit) flush();
    current.push(...line);
    size += length;
  }
  flush();
  return parts.filter((p) => visibleLength(p) > 0);
}

function trimTrailingNewline(rich: Rich): Rich {
  if (rich.length === 0) return rich;
  const last = rich[rich.length - 1]!;
  if (!last.text.endsWith('\n')) return rich;
  const text = last.text.replace(/\n+$/, '');
  return text === '' ? trimTrailingNewline(rich.slice(0, -1)) : [...rich.slice(0, -1), { ...last, text }];
}

export class InvalidButtonError extends Error {}

/** Rows of buttons → an inline keyboard. Data over Telegram's 64 bytes is a bug in the caller: refuse loudly. */
export function inlineKeyboard(buttons: Button[][] | undefined): InlineKeyboardMarkup | undefined {
  const rows = (buttons ?? []).filter((row) => row.length > 0);
  if (rows.length === 0) return undefined;
  return {
    inline_keyboard: rows.map((row) =>
      row.map((button) => {
        const bytes = Buffer.byteLength(button.data, 'utf8');
        if (bytes < 1 || bytes > CALLBACK_DATA_BYTES) {
          throw new InvalidButtonError(`button data must be 1-64 bytes, got ${bytes} for "${button.data.slice(0, 20)}…"`);
        }
        return { text: button.label, callback_data: button.data };
      }),
    ),
  };
}
