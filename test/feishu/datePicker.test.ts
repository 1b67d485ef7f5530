// The card date picker: a date question carries one, and the day picked comes back as the question's button data.
import { describe, expect, it } from 'vitest';
import { translateCardAction } from '../../src/bot/feishu/events.js';
import { renderMessage } from '../../src/bot/feishu/render.js';
import { message } from '../../src/bot/message.js';

const question = { ...message('走访日期？', [[{ label: '今天 11月23日', data: 'q.0a1b2c3d.5.0' }]]), datePicker: { data: 'q.0a1b2c3d.5.v', initial: '2026-11-23' } };

const tap = (action: Record<string, unknown>) =>
  translateCardAction({ event_id: 'ev-1', operator: { open_id: 'ou_1' }, action, context: { open_message_id: 'om_1', open_chat_id: 'oc_1' } });

describe('Feishu date picker', () => {
  it('renders a date question as a card with a date picker starting today', () => {
    const rendered = renderMessage(question);
    expect(rendered.msgType).toBe('interactive');
    const pickers = (JSON.parse(rendered.content) as { elements: { tag: string; actions?: Record<string, unknown>[] }[] }).elements
      .flatMap((e) => e.actions ?? [])
      .filter((a) => a.tag === 'date_picker');
    expect(pickers).toEqual([{ tag: 'date_picker', initial_date: '2026-11-23', value: { d: 'q.0a1b2c3d.5.v' } }]);
  });

  it('turns the day picked into the question data followed by the day', () => {
    const picked = tap({ tag: 'date_picker', value: { d: 'q.0a1b2c3d.5.v' }, option: '2026-11-20 +0800' });
    expect(picked?.inbound.event).toEqual({ kind: 'button', data: 'q.0a1b2c3d.5.v20261120' });
  });

  it('ignores a date picker action without a day', () => {
    expect(tap({ tag: 'date_picker', value: { d: 'q.0a1b2c3d.5.v' } })).toBeUndefined();
    expect(tap({ tag: 'date_picker', value: { d: 'q.0a1b2c3d.5.v' }, option: 'tomorrow' })).toBeUndefined();
  });
});
