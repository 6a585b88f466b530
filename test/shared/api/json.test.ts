import { exact, exactOrNull, toJson } from '../../../shared/api/json';

describe('exact', () => {
  it.each([
    ['0.000140', '0.000140'],
    ['0.0960000000000000001', '0.0960000000000000001'],
    ['1.5E-7', '1.5E-7'],
    ['007.5', '7.5'],
    ['-00.5', '-0.5'],
    ['000', '0'],
    ['00e5', '0e5'],
    [' 12 ', '12'],
  ])('writes %j as the JSON number %s', (text, json) => {
    expect(toJson({ price: exact(text) })).toBe(`{"price":${json}}`);
  });

  it.each(['', '.5', '1,5', 'abc', '1e'])('refuses %j', (text) => {
    expect(() => exact(text)).toThrow('is not a decimal number');
  });

  it('leaves an absent price null', () => {
    expect(exactOrNull(null)).toBeNull();
    expect(exactOrNull('')).toBeNull();
    expect(toJson([exactOrNull('1.10'), undefined])).toBe('[1.10,null]');
  });
});
