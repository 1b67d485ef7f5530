import { describe, expect, it } from 'vitest';
import {
  categoryFromText,
  childCategories,
  dimensionLevels,
  dimensions,
  isChildCategory,
  isRiskLevel,
  reportSituations,
  riskEmoji,
  riskLevels,
  riskRank,
  visitKinds,
} from '../../src/domain/categories.js';

describe('categoryFromText', () => {
  it.each([
    ['机构养育孤儿', 'institutional_orphan'],
    ['社会散居孤儿', 'community_orphan'],
    ['散居孤儿', 'community_orphan'],
    ['事实无人抚养儿童', 'de_facto_unsupported'],
    ['农村留守儿童', 'left_behind'],
    ['留守儿童', 'left_behind'],
    [' 困境儿童 ', 'in_distress'],
    ['残疾儿童', 'disabled'],
    ['流动儿童', 'migrant'],
    ['left_behind', 'left_behind'],
    ['Left-Behind', 'left_behind'],
    ['de facto unsupported', 'de_facto_unsupported'],
    ['MIGRANT', 'migrant'],
  ])('%j → %s', (text, key) => {
    expect(categoryFromText(text)).toBe(key);
  });

  it('recognises every English key', () => {
    for (const key of childCategories) expect(categoryFromText(key)).toBe(key);
  });

  it.each([[''], ['孤儿'], ['儿童'], ['orphan'], ['left'], ['*'], ['__proto__'], ['constructor'], ['toString']])(
    'refuses %j',
    (text) => {
      expect(categoryFromText(text)).toBeUndefined();
    },
  );
});

describe('risk levels', () => {
  it('rank in ascending severity', () => {
    expect(riskLevels.map(riskRank)).toEqual([0, 1, 2, 3]);
    expect(riskRank('red')).toBeGreaterThan(riskRank('orange'));
    expect(riskRank('yellow')).toBeGreaterThan(riskRank('green'));
  });

  it('have one distinct emoji each', () => {
    expect(riskLevels.map((l) => riskEmoji[l])).toEqual(['🟢', '🟡', '🟠', '🔴']);
  });

  it('guard strings', () => {
    expect(isRiskLevel('red')).toBe(true);
    expect(isRiskLevel('purple')).toBe(false);
    expect(isChildCategory('migrant')).toBe(true);
    expect(isChildCategory('流动儿童')).toBe(false);
  });
});

describe('vocabularies', () => {
  it.each([
    ['dimensions', dimensions, 6],
    ['dimension levels', dimensionLevels, 3],
    ['visit kinds', visitKinds, 4],
    ['report situations', reportSituations, 9],
    ['child categories', childCategories, 7],
  ] as const)('%s are distinct (%d)', (_name, list, n) => {
    expect(new Set(list).size).toBe(n);
    expect(list.length).toBe(n);
  });
});
