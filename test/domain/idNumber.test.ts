import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeIdNumber, validateIdNumber } from '../../src/domain/idNumber.js';

// The test's own ISO 7064 MOD 11-2 check character, written from the standard (Σ aᵢ·2^(17−i) mod 11,
// check = (12 − sum) mod 11, 10 → X) rather than from the table the code uses.
function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const value = (12 - (sum % 11)) % 11;
  return value === 10 ? 'X' : String(value);
}

function withCheck(first17: string): string {
  return first17 + checkChar(first17);
}

function wrongCheck(first17: string): string {
  const right = checkChar(first17);
  return first17 + (right === '0' ? '1' : '0');
}

describe('validateIdNumber', () => {
  it.each([
    ['11010520150101123', '2015-01-01', 'male'],
    ['11010520150101124', '2015-01-01', 'female'],
    ['44030420120229001', '2012-02-29', 'male'],
    ['51010719991231002', '1999-12-31', 'female'],
    ['37020220201130009', '2020-11-30', 'male'],
  ] as const)('%s + check → born %s, %s', (first17, birthDate, sex) => {
    const idNumber = withCheck(first17);
    expect(validateIdNumber(idNumber)).toEqual({ ok: true, idNumber, birthDate, sex });
  });

  it('accepts the X check character in lower case and full width', () => {
    // Find a sequence number whose check character is X, so the case is really exercised.
    const first17 = Array.from({ length: 1000 }, (_, i) => `110105201501011${String(i % 100).padStart(2, '0')}`).find(
      (f) => checkChar(f) === 'X',
    );
    expect(first17).toBeDefined();
    const id = `${first17}X`;
    expect(validateIdNumber(id.toLowerCase())).toMatchObject({ ok: true, idNumber: id });
    const fullWidth = Array.from(id, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(validateIdNumber(` ${fullWidth} `)).toMatchObject({ ok: true, idNumber: id });
  });

  it('refuses a wrong check character', () => {
    expect(validateIdNumber(wrongCheck('11010520150101123'))).toEqual({ ok: false, reason: 'checksum' });
    // The example number used in the masking docs carries a wrong check character.
    expect(checkChar('11010520150101123')).not.toBe('X');
    expect(validateIdNumber('11010520150101123X')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('catches any single mistyped digit', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{17}$/),
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (first17, pos, delta) => {
          const id = withCheck(first17);
          const typo = id.slice(0, pos) + String((Number(id[pos]) + delta) % 10) + id.slice(pos + 1);
          const r = validateIdNumber(typo);
          return !r.ok && r.reason !== 'format';
        },
      ),
    );
  });

  it.each([
    ['20261301'], // month 13
    ['20260229'], // not a leap year
    ['20260431'],
    ['18991231'], // before 1900
    ['20260100'],
  ])('refuses the impossible birth date %s with a correct checksum', (birth) => {
    expect(validateIdNumber(withCheck(`110105${birth}123`))).toEqual({ ok: false, reason: 'birth_date' });
  });

  it.each([[''], ['1101052015010112'], ['1101052015010112345'], ['11010520150101123Y'], ['X10105201501011234'], ['abc']])(
    'refuses the malformed %j',
    (input) => {
      expect(validateIdNumber(input)).toEqual({ ok: false, reason: 'format' });
    },
  );
});

describe('normalizeIdNumber', () => {
  it.each([
    [' 11010520150101123x ', '11010520150101123X'],
    ['１１０１０５２０１５０１０１１２３ｘ', '11010520150101123X'],
    ['110105 20150101 123X', '11010520150101123X'],
  ])('%j → %s', (input, out) => {
    expect(normalizeIdNumber(input)).toBe(out);
  });
});
