// The people section speaks both languages completely, and its placeholders match between them.
import { describe, expect, it } from 'vitest';
import { people } from '../../src/i18n/sections/people.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('people texts', () => {
  it('has every key in zh-CN and en, with the same placeholders', () => {
    const zh = people['zh-CN'] as Record<string, string>;
    const en = people.en as Record<string, string>;
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const key of Object.keys(zh)) expect(placeholders(en[key]!), key).toEqual(placeholders(zh[key]!));
  });
});
