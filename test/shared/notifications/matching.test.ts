import type { PriceVersion } from '../../../shared/prices';
import { matches, passesThreshold, wantsSnapshot, type ChangedPrice } from '../../../shared/notifications/matching';
import { filtersSchema, subscriptionInputSchema } from '../../../shared/notifications/subscription';

const price = (overrides: Partial<PriceVersion> = {}): PriceVersion =>
  ({
    productId: 'DZH318Z0BQ4L',
    skuId: '00JX',
    tags: 'Azure;Consumption',
    unitPrice: '100',
    ...overrides,
  }) as PriceVersion;

const chg = (before: string, after: string): ChangedPrice => ({
  code: 'CHG',
  before: price({ unitPrice: before }),
  after: price({ unitPrice: after }),
});
const filters = (value: unknown) => filtersSchema.parse(value);

describe('subscription filters', () => {
  it('match market and view per snapshot', () => {
    expect(wantsSnapshot(filters({}), 'US', 'azure_consumption')).toBe(true);
    expect(wantsSnapshot(filters({ markets: ['DE'] }), 'US', 'azure_consumption')).toBe(false);
    expect(wantsSnapshot(filters({ markets: ['US'], views: ['azure_reservations'] }), 'US', 'azure_consumption')).toBe(
      false,
    );
  });

  it('match product, SKU, tag (any of the `;` separated tags, ignoring case) and code', () => {
    const add: ChangedPrice = { code: 'ADD', before: null, after: price() };
    const del: ChangedPrice = { code: 'DEL', before: price(), after: null };
    expect(matches(filters({ productIds: ['DZH318Z0BQ4L'], skuIds: ['00JX'] }), add)).toBe(true);
    expect(matches(filters({ productIds: ['DZH318Z0BQ4W'] }), add)).toBe(false);
    expect(matches(filters({ skuIds: ['00JY'] }), del)).toBe(false);
    expect(matches(filters({ tags: ['consumption'] }), del)).toBe(true);
    expect(matches(filters({ tags: ['Consump'] }), del)).toBe(false);
    expect(matches(filters({ codes: ['ADD', 'CHG'] }), del)).toBe(false);
    expect(matches(filters({ codes: ['DEL'] }), del)).toBe(true);
  });

  it('CHG threshold: an increase of 5 % or more is after >= before x 1.05, in decimals', () => {
    const up5 = { min: '5', direction: 'increase' as const };
    expect(passesThreshold(up5, chg('100', '105'))).toBe(true);
    expect(passesThreshold(up5, chg('100', '104.999999'))).toBe(false);
    // Binary floats would say 0.1 x 1.05 = 0.10500000000000001 > 0.105.
    expect(passesThreshold(up5, chg('0.1', '0.105'))).toBe(true);
    expect(passesThreshold(up5, chg('100', '50'))).toBe(false);
    expect(passesThreshold(up5, chg('0', '0.01'))).toBe(true);
    const down5 = { min: '5', direction: 'decrease' as const };
    expect(passesThreshold(down5, chg('100', '95'))).toBe(true);
    expect(passesThreshold(down5, chg('100', '95.01'))).toBe(false);
    expect(passesThreshold(down5, chg('100', '200'))).toBe(false);
    const any5 = { min: '5', direction: 'any' as const };
    expect([chg('100', '95'), chg('100', '105'), chg('100', '101')].map((c) => passesThreshold(any5, c))).toEqual([
      true,
      true,
      false,
    ]);
    // A price republished in place: its old price is unknown, so no threshold is met.
    expect(passesThreshold(any5, { code: 'CHG', before: null, after: price() })).toBe(false);
    expect(matches(filters({ changePercent: { min: '5', direction: 'increase' } }), chg('100', '104'))).toBe(false);
    // The threshold is about CHG only.
    expect(matches(filters({ changePercent: { min: '5' } }), { code: 'ADD', before: null, after: price() })).toBe(true);
  });

  it('refuses bad input naming the field as sent', () => {
    const problems = (value: unknown) =>
      subscriptionInputSchema
        .safeParse(value)
        .error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    const destination = { kind: 'webhook', url: 'https://example.com/hook' };
    expect(problems({ name: 'x', destination, filters: { codes: ['ADD', 'NEW'] } })).toEqual([
      'filters.codes.1: one of ADD, CHG, DEL, UNC',
    ]);
    expect(problems({ name: 'x', destination, filters: { changePercent: { min: 5 } } })).toEqual([
      'filters.changePercent.min: Invalid input: expected string, received number',
    ]);
    expect(problems({ name: 'x', destination, filters: { markets: ['us'] } })).toEqual([
      'filters.markets.0: a two-letter market code such as US',
    ]);
    expect(problems({ name: 'x', destination: { kind: 'ftp' } })).toEqual([
      'destination.kind: one of webhook, eventgrid',
    ]);
    expect(problems({ name: 'x', destination: { kind: 'webhook', url: 'ftp://example.com' } })).toEqual([
      'destination.url: an absolute http(s) URL',
    ]);
    expect(problems({ name: 'x', destination, filter: {} })).toEqual([': Unrecognized key: "filter"']);
  });
});
