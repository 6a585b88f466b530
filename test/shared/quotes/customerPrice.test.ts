import { adjust, currencyDecimals, earnsPec, partnerCostOf, roundTo } from '../../../shared/quotes/customerPrice';

const consumption = {
  view: 'azure_consumption',
  tags: 'Azure;Consumption',
  priceType: '',
  skuTitle: 'D2 v3',
  meterType: '1 Compute Hour',
};

describe('partner-earned credit', () => {
  it('applies to Azure plan consumption', () => {
    expect(earnsPec(consumption)).toBe(true);
    expect(earnsPec({ ...consumption, tags: 'Azure' })).toBe(true);
  });

  it.each([
    ['ThirdParty tags', { tags: 'ThirdParty' }],
    ['ThirdParty among other tags', { tags: 'Azure;ThirdParty' }],
    ['reservation tags', { tags: 'Reservation' }],
    ['the reservations view', { view: 'azure_reservations' }],
    ['license-based rows', { view: 'updatedlicensebased' }],
    ['savings plans', { priceType: 'SavingsPlan' }],
    ['Spot VMs', { skuTitle: 'D2 v3 Spot' }],
  ])('does not apply to %s', (_what, change) => {
    expect(earnsPec({ ...consumption, ...change })).toBe(false);
  });

  it('takes the percentage off exactly', () => {
    expect(partnerCostOf('8.7696', '15')).toBe('7.45416');
    expect(partnerCostOf('0.000140', '15')).toBe('0.000119');
    expect(partnerCostOf('10', '12.5')).toBe('8.75');
    expect(partnerCostOf('8.7696', null)).toBe('8.7696');
  });
});

describe('adjustments', () => {
  it('marks up on cost, aims at a margin, or adds a fixed amount per unit', () => {
    expect(adjust('100', '1', { type: 'markupPercent', percent: '20' })).toBe('120');
    // 20 % of the customer price is margin: 125 − 20 % = 100.
    expect(adjust('100', '1', { type: 'marginPercent', percent: '20' })).toBe('125');
    expect(adjust('100', '4', { type: 'fixedPerUnit', amount: '0.5' })).toBe('102');
  });

  it('keeps a margin quotient exact until it is rounded', () => {
    const unrounded = adjust('10', '1', { type: 'marginPercent', percent: '30' });
    expect(unrounded.startsWith('14.285714285714')).toBe(true);
    expect(roundTo(unrounded, 2, 'halfUp')).toBe('14.29');
    expect(roundTo(unrounded, 2, 'down')).toBe('14.28');
  });
});

describe('rounding', () => {
  it.each([
    ['2.345', 2, 'halfUp', '2.35'],
    ['2.345', 2, 'halfEven', '2.34'],
    ['2.341', 2, 'up', '2.35'],
    ['2.349', 2, 'down', '2.34'],
    ['1234.5', 0, 'halfEven', '1234'],
  ] as const)('%s to %i places %s is %s', (value, decimals, mode, expected) => {
    expect(roundTo(value, decimals, mode)).toBe(expected);
  });

  it("uses the currency's minor unit", () => {
    expect(currencyDecimals('EUR')).toBe(2);
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('KWD')).toBe(3);
  });
});
