import { createHash } from 'node:crypto';
import { DigestMap } from '../../../shared/prices/digestMap';

const digest = (text: string) => createHash('sha1').update(text).digest();

describe('DigestMap', () => {
  it('keeps every entry through growth and overwrites in place', () => {
    const map = new DigestMap(4);
    for (let i = 0; i < 50_000; i++) map.set(digest(`k${i}`), i);
    expect(map.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) expect(map.get(digest(`k${i}`))).toBe(i);
    expect(map.get(digest('absent'))).toBeUndefined();
    map.set(digest('k7'), -1);
    expect(map.get(digest('k7'))).toBe(-1);
    expect(map.size).toBe(50_000);
  });

  it('holds 48-bit values exactly and lists entries by digest prefix', () => {
    const map = new DigestMap();
    const big = 2 ** 48 - 1;
    map.set(digest('a'), big);
    map.set(digest('b'), 0);
    const entries = [...map.entries()].map(([key, value]) => [key.toString('hex'), value]);
    expect(entries).toHaveLength(2);
    expect(entries).toEqual(
      expect.arrayContaining([
        [digest('a').toString('hex', 0, 8), big],
        [digest('b').toString('hex', 0, 8), 0],
      ]),
    );
  });
});
