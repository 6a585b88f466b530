import { tieredAmount, type TierRow } from '../../../shared/quotes/tiers';

const tier = (min: string | null, max: string | null, unitPrice: string): TierRow => ({
  pricingTierRangeMin: min,
  pricingTierRangeMax: max,
  unitPrice,
});

/** The pricing guide's inclusive shape: 1–100 / 101–100000 / 100001–… */
const INCLUSIVE = [
  tier('1', '100', '0.087000'),
  tier('101', '100000', '0.069600'),
  tier('100001', '9223372036854780000', '0.043500'),
];
/** Azure plan rows starting at 0: 0 / 51200 / 512000 (bounds as the sheets carry them). */
const FROM_ZERO = [tier('0', '', '0.20'), tier('51200', '', '0.15'), tier('512000', '', '0.10')].map((t) => ({
  ...t,
  pricingTierRangeMax: null,
}));

const quantities = (rows: TierRow[], quantity: string) =>
  tieredAmount(rows, quantity).tiers.map((applied) => [applied.from, applied.quantity]);

describe('tiers 1–100 / 101–100000 / 100001–…', () => {
  it.each([
    ['99', [['1', '99']]],
    ['100', [['1', '100']]],
    [
      '101',
      [
        ['1', '100'],
        ['101', '1'],
      ],
    ],
    [
      '99999',
      [
        ['1', '100'],
        ['101', '99899'],
      ],
    ],
    [
      '100000',
      [
        ['1', '100'],
        ['101', '99900'],
      ],
    ],
    [
      '100001',
      [
        ['1', '100'],
        ['101', '99900'],
        ['100001', '1'],
      ],
    ],
  ])('%s units fill the tiers in order', (quantity, expected) => {
    expect(quantities(INCLUSIVE, quantity)).toEqual(expected);
  });

  it('prices 101 units as 100 × tier 1 + 1 × tier 2, exactly', () => {
    const result = tieredAmount(INCLUSIVE, '101');
    expect(result.tiers.map((t) => t.amount)).toEqual(['8.7', '0.0696']);
    expect(result.amount).toBe('8.7696');
    expect(result.tiers[0]).toEqual({ from: '1', to: '100', quantity: '100', unitPrice: '0.087000', amount: '8.7' });
  });

  it('reads an empty first lower bound as 1 when its upper bound is one below the next tier (Cosmos DB rows)', () => {
    const rows = [tier(null, '100', '0.25'), tier('101', null, '0.2')];
    expect(quantities(rows, '101')).toEqual([
      [null, '100'],
      ['101', '1'],
    ]);
    expect(tieredAmount(rows, '101').amount).toBe('25.2');
  });
});

describe('tiers 0 / 51200 / 512000', () => {
  it.each([
    ['51199', [['0', '51199']]],
    ['51200', [['0', '51200']]],
    [
      '51201',
      [
        ['0', '51200'],
        ['51200', '1'],
      ],
    ],
    [
      '511999',
      [
        ['0', '51200'],
        ['51200', '460799'],
      ],
    ],
    [
      '512000',
      [
        ['0', '51200'],
        ['51200', '460800'],
      ],
    ],
    [
      '512001',
      [
        ['0', '51200'],
        ['51200', '460800'],
        ['512000', '1'],
      ],
    ],
  ])('%s units: the first 51,200 at tier 1', (quantity, expected) => {
    expect(quantities(FROM_ZERO, quantity)).toEqual(expected);
  });

  it('keeps fractions exact', () => {
    expect(tieredAmount(FROM_ZERO, '51200.5').amount).toBe('10240.075');
  });
});

describe('quantities of 0 and untiered rows', () => {
  it('0 units take no tier and cost 0', () => {
    expect(tieredAmount(INCLUSIVE, '0')).toEqual({ tiers: [], amount: '0' });
    expect(tieredAmount(FROM_ZERO, '0')).toEqual({ tiers: [], amount: '0' });
  });

  it('a row without bounds is one tier for any quantity', () => {
    expect(tieredAmount([tier(null, null, '0.096000')], '730')).toEqual({
      tiers: [{ from: null, to: null, quantity: '730', unitPrice: '0.096000', amount: '70.08' }],
      amount: '70.08',
    });
  });
});
