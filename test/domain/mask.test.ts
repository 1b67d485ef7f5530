import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskPhone } from '../../src/domain/mask.js';

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    [' 138 1234 5678 ', '138****5678'],
    ['１３８１２３４５６７８', '138****5678'],
    ['+8613812345678', '+86*******5678'],
    ['1234567', '1234567'.slice(0, 3) + '4567'],
    ['02112345678', '021****5678'],
    ['123456', '****56'],
    ['123', '*23'],
    ['12', '**'],
    ['', ''],
    [null, ''],
    [undefined, ''],
  ])('%j → %j', (input, out) => {
    expect(maskPhone(input)).toBe(out);
  });

  it('never shows the middle digits of a mobile number', () => {
    expect(maskPhone('13812345678')).not.toContain('1234');
  });
});

describe('maskIdNumber', () => {
  it.each([
    ['11010520150101123X', '110105********123X'],
    ['11010520150101123x', '110105********123X'],
    ['110105201501011239', '110105********1239'],
    ['110105150101123', '110105*****1123'], // old 15-digit number
    ['12345', '***45'],
    ['', ''],
    [null, ''],
  ])('%j → %j', (input, out) => {
    expect(maskIdNumber(input)).toBe(out);
  });

  it('hides the birth date', () => {
    expect(maskIdNumber('11010520150101123X')).not.toContain('20150101');
  });
});
