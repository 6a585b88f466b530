import { newestFirstDayKey, newestFirstKey, prefixRange } from '../../../shared/storage/keys';

/**
 * These key parts are stored in the runs, snapshots and rate tables: the exact strings are pinned
 * here because data written by earlier versions must keep sorting and reading the same.
 */

describe('newestFirstKey', () => {
  it.each([
    ['1970-01-01T00:00:00.0000000Z', '9999999999999'],
    ['2021-11-03T06:57:30.0682597Z', '8364077349931'],
    ['2024-05-17T10:00:00.0000000Z', '8284059999999'],
    ['2024-05-17T10:00:00.001Z', '8284059999998'],
  ])('%s → %s', (instant, key) => {
    expect(newestFirstKey(instant)).toBe(key);
  });

  it('sorts later instants first', () => {
    const instants = ['2024-05-17T10:00:00.000Z', '2024-05-17T10:00:00.001Z', '2031-01-01T00:00:00.000Z'];
    const keys = instants.map(newestFirstKey);
    expect([...keys].sort()).toEqual([...keys].reverse());
  });
});

describe('newestFirstDayKey', () => {
  it.each([
    ['2024-05-17', '79759482'],
    ['2018-03-01', '79819698'],
    ['9999-12-31', '00008768'],
  ])('%s → %s', (day, key) => {
    expect(newestFirstDayKey(day)).toBe(key);
  });

  it('sorts later days first, across month and year ends', () => {
    const keys = ['2023-12-31', '2024-01-01', '2024-01-31', '2024-02-01'].map(newestFirstDayKey);
    expect([...keys].sort()).toEqual([...keys].reverse());
  });
});

describe('prefixRange', () => {
  it('holds every key with the prefix and nothing past it', () => {
    const { from, to } = prefixRange('US|azure_consumption|');
    const inRange = (key: string) => key >= from && key < to;
    expect(inRange('US|azure_consumption|')).toBe(true);
    expect(inRange('US|azure_consumption|m0a')).toBe(true);
    expect(inRange('US|azure_consumption|p%7E~')).toBe(true);
    expect(inRange('US|azure_consumption')).toBe(false);
    expect(inRange('US|azure_reservations|m0a')).toBe(false);
  });
});
