// Telegram's HTML parse mode, as the Bot API applies it: a small set of tags, four named entities and numeric
// ones, strict nesting. The fake server uses it to refuse what Telegram would refuse and to count visible length.
const allowedTags = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export interface ParsedHtml {
  text: string;
  /** Formatting ranges, e.g. `b:0-4`, enough to tell whether an edit changed anything. */
  entities: string[];
}

export class HtmlParseError extends Error {}

export function parseTelegramHtml(html: string): ParsedHtml {
  let text = '';
  const entities: string[] = [];
  const open: { tag: string; start: number }[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw new HtmlParseError(`Can't parse entities: unclosed start tag at byte offset ${i}`);
      const inner = html.slice(i + 1, end).trim();
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const top = open.pop();
        if (!top || top.tag !== name) {
          throw new HtmlParseError(`Can't parse entities: can't find end tag corresponding to start tag "${top?.tag ?? name}"`);
        }
        entities.push(`${top.tag}:${top.start}-${text.length}`);
      } else {
        const name = (inner.split(/\s/)[0] ?? '').toLowerCase();
        if (!allowedTags.has(name)) {
          throw new HtmlParseError(`Can't parse entities: unsupported start tag "${name}" at byte offset ${i}`);
        }
        open.push({ tag: name, start: text.length });
      }
      i = end + 1;
      continue;
    }
    if (ch === '>') throw new HtmlParseError(`Can't parse entities: character '>' is reserved at byte offset ${i}`);
    if (ch === '&') {
      const match = /^&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/i.exec(html.slice(i));
      if (match) {
        const name = match[1]!;
        let decoded: string | undefined;
        if (name.startsWith('#x') || name.startsWith('#X')) decoded = String.fromCodePoint(parseInt(name.slice(2), 16));
        else if (name.startsWith('#')) decoded = String.fromCodePoint(parseInt(name.slice(1), 10));
        else decoded = namedEntities[name.toLowerCase()];
        if (decoded !== undefined) {
          text += decoded;
          i += match[0].length;
          continue;
        }
      }
      text += '&';
      i += 1;
      continue;
    }
    text += ch;
    i += 1;
  }
  if (open.length > 0) throw new HtmlParseError(`Can't parse entities: can't find end tag corresponding to start tag "${open[open.length - 1]!.tag}"`);
  return { text, entities };
}
