// Button data of flow questions: `q.<tag>.<version>.<op>` — a short reference, re-checked on every press.
// tag: the conversation's first 8 hex digits; version: the row's version (base 36) when the question was asked.
// op: <n> choice index · c<id> child · p<n> page · u unknown child · t<n> toggle · d done · b back · s skip ·
//     x cancel? · y confirm · e edit list · e<n> edit step n · k keep draft · z discard draft ·
//     v<YYYYMMDD> a day picked in a date picker · a / r accept the day asked about ("did you mean …?") / type again
import { z } from 'zod';

const opSchema = z.string().regex(/^(\d{1,3}|c\d{1,12}|p\d{1,4}|u|t\d{1,3}|d|b|s|x|y|e\d{0,3}|k|z|v\d{8}|a|r)$/);

export interface QuestionButton {
  tag: string;
  version: number;
  op: string;
}

export function conversationTag(conversationId: string): string {
  return conversationId.replace(/-/g, '').slice(0, 8);
}

export function questionData(conversationId: string, version: number, op: string): string {
  return `q.${conversationTag(conversationId)}.${version.toString(36)}.${op}`;
}

export function parseQuestionData(data: string): QuestionButton | undefined {
  const parts = data.split('.');
  if (parts.length !== 4 || parts[0] !== 'q') return undefined;
  const [, tag, ver, op] = parts as [string, string, string, string];
  if (!/^[0-9a-f]{8}$/.test(tag) || !/^[0-9a-z]{1,8}$/.test(ver) || !opSchema.safeParse(op).success) return undefined;
  return { tag, version: parseInt(ver, 36), op };
}
