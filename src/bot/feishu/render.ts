// Channel-neutral messages rendered for Feishu. Text-only messages become `post` rich text, whose spans are
// structured data and never parsed; questions with buttons become interactive cards, whose text is lark_md, so
// every character that markdown could read as syntax is written as an HTML numeric entity.
import type { Button, OutMessage, Rich } from '../message.js';

/** Characters with meaning in lark_md (emphasis, links, mentions, tags, emoji codes, lists, headings, code). */
const LARK_MD_SPECIAL = /[\\`*_~[\](){}<>#+\-.!|:&@"'=]/g;

export function escapeLarkMd(text: string): string {
  return text.replace(LARK_MD_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

export function richToLarkMd(rich: Rich): string {
  return rich
    .map((span) => {
      // Emphasis markers may not span a line break, so each line of a span is wrapped on its own.
      const lines = span.text.split('\n').map((line) => {
        if (line === '') return line;
        let out = escapeLarkMd(line);
        if (span.italic) out = `*${out}*`;
        if (span.bold) out = `**${out}**`;
        return out;
      });
      return lines.join('\n');
    })
    .join('');
}

interface PostElement {
  tag: 'text';
  text: string;
  style?: ('bold' | 'italic')[];
}

/** `post` content: one paragraph per line; bold and italic as styles, never as markup. */
export function richToPost(rich: Rich): { zh_cn: { title: string; content: PostElement[][] } } {
  const paragraphs: PostElement[][] = [[]];
  for (const span of rich) {
    const style: ('bold' | 'italic')[] = [];
    if (span.bold) style.push('bold');
    if (span.italic) style.push('italic');
    span.text.split('\n').forEach((part, i) => {
      if (i > 0) paragraphs.push([]);
      if (part === '') return;
      const element: PostElement = { tag: 'text', text: part };
      if (style.length > 0) element.style = style;
      paragraphs[paragraphs.length - 1]!.push(element);
    });
  }
  return { zh_cn: { title: '', content: paragraphs } };
}

export interface FeishuCard {
  config: { wide_screen_mode: boolean; update_multi: boolean };
  elements: Record<string, unknown>[];
}

function buttonElement(button: Button, index: number): Record<string, unknown> {
  return {
    tag: 'button',
    text: { tag: 'plain_text', content: button.label },
    type: index === 0 ? 'primary' : 'default',
    value: { d: button.data },
  };
}

/** A card: the text, then one action row per row of buttons. `update_multi` lets a later patch replace it. */
export function cardFor(
  text: Rich,
  buttons: Button[][] = [],
  imageKey?: { key: string; alt: string },
  datePicker?: OutMessage['datePicker'],
): FeishuCard {
  const elements: Record<string, unknown>[] = [{ tag: 'div', text: { tag: 'lark_md', content: richToLarkMd(text) } }];
  if (imageKey) elements.push({ tag: 'img', img_key: imageKey.key, alt: { tag: 'plain_text', content: imageKey.alt } });
  // The card's calendar: the day picked comes back in the action's `option` (see events.ts).
  if (datePicker) elements.push({ tag: 'action', actions: [{ tag: 'date_picker', initial_date: datePicker.initial, value: { d: datePicker.data } }] });
  buttons.forEach((row, r) => {
    if (row.length === 0) return;
    elements.push({
      tag: 'action',
      layout: row.length > 3 ? 'flow' : undefined,
      actions: row.map((b, i) => buttonElement(b, r === 0 ? i : i + 1)),
    });
  });
  return { config: { wide_screen_mode: true, update_multi: true }, elements };
}

export interface RenderedMessage {
  msgType: 'post' | 'interactive';
  content: string;
}

/** An image must be uploaded first; `imageKey` is the key the upload returned. */
export function renderMessage(message: OutMessage, imageKey?: string): RenderedMessage {
  const hasButtons = (message.buttons ?? []).some((row) => row.length > 0) || message.datePicker !== undefined;
  if (!hasButtons && !imageKey) return { msgType: 'post', content: JSON.stringify(richToPost(message.text)) };
  const image = imageKey && message.image ? { key: imageKey, alt: message.image.alt } : undefined;
  return { msgType: 'interactive', content: JSON.stringify(cardFor(message.text, message.buttons, image, message.datePicker)) };
}

/**
 * The answer to a card click: usually the question and the answer chosen, without buttons, so the card becomes a
 * record; when the core keeps the question open (a multi-choice toggle, another page) it brings its new buttons.
 */
export function resolvedCard(resolved: OutMessage): FeishuCard {
  return cardFor(resolved.text, resolved.buttons, undefined, resolved.datePicker);
}

/** Feishu refuses cards and rich-text bodies over 30 KB; a little room is left for the request around them. */
export const MAX_CONTENT_BYTES = 28_000;

function lines(rich: Rich): Rich[] {
  const out: Rich[] = [[]];
  for (const span of rich) {
    span.text.split('\n').forEach((part, i) => {
      if (i > 0) out.push([]);
      if (part !== '') out[out.length - 1]!.push({ ...span, text: part });
    });
  }
  return out;
}

function joinLines(parts: Rich[]): Rich {
  return parts.flatMap((line, i) => (i === 0 ? line : [{ text: '\n' }, ...line]));
}

/**
 * A message too large for one Feishu message, split at line breaks (a single huge line at half its length);
 * the buttons and the image stay with the last part, where the question is.
 */
export function splitOversized(message: OutMessage, maxBytes: number = MAX_CONTENT_BYTES): OutMessage[] {
  if (Buffer.byteLength(renderMessage(message, message.image ? 'img_placeholder' : undefined).content) <= maxBytes) return [message];
  const all = lines(message.text);
  let head: Rich;
  let tail: Rich;
  if (all.length > 1) {
    const half = Math.ceil(all.length / 2);
    head = joinLines(all.slice(0, half));
    tail = joinLines(all.slice(half));
  } else {
    const text = all[0] ?? [];
    const chars = text.flatMap((span) => [...span.text].map((c) => ({ ...span, text: c })));
    const half = Math.ceil(chars.length / 2);
    if (chars.length < 2) return [message];
    head = chars.slice(0, half);
    tail = chars.slice(half);
  }
  return [...splitOversized({ text: head }, maxBytes), ...splitOversized({ ...message, text: tail }, maxBytes)];
}
