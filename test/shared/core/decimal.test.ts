import Decimal from 'decimal.js';
import { DECIMAL, plainDecimal } from '../../../shared/core/decimal';

describe('DECIMAL', () => {
  it.each(['0', '12', '-3', '0.000140', '1.5E-7', '2e+3', '-0.5e2'])('accepts %s', (text) => {
    expect(DECIMAL.test(text)).toBe(true);
  });

  it.each(['', '.5', '5.', '1,5', '+1', '1e', '0x10', ' 1', 'NaN', 'Infinity'])('refuses %j', (text) => {
    expect(DECIMAL.test(text)).toBe(false);
  });
});

describe('plainDecimal', () => {
  it.each([
    ['1.50', '1.5'],
    ['1.5E-7', '0.00000015'],
    ['1e21', '1000000000000000000000'],
    ['-0.33', '-0.33'],
    ['-0', '0'],
    ['-0.000', '0'],
  ])('%s → %s', (text, plain) => {
    expect(plainDecimal(new Decimal(text))).toBe(plain);
  });

  it('writes a negative result that rounds to zero as 0, not -0', () => {
    expect(plainDecimal(new Decimal('-0.00001').toDecimalPlaces(2))).toBe('0');
  });
});
