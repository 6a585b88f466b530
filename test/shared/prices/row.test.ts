import { fieldForHeader, validatePriceRecord, type PriceRecord } from '../../../shared/prices/row';

const valid: PriceRecord = {
  productTitle: 'Virtual Machines',
  productId: 'DZH318Z0BQ4L',
  skuId: '0001',
  market: 'us',
  currency: 'usd',
  unitPrice: '0.000140',
  pricingTierRangeMin: '100001',
  pricingTierRangeMax: '9223372036854780000',
  effectiveStartDate: '3/1/2018 12:00:00 AM',
  effectiveEndDate: '11/30/9999 11:59:59 PM',
  meterId: '50b363d1-feb5-1b7f-a847-bf36ef64b78c',
};

describe('validatePriceRecord', () => {
  it('accepts a valid row and keeps the price text exactly', () => {
    const verdict = validatePriceRecord(valid);
    expect(verdict).toEqual({
      ok: true,
      row: expect.objectContaining({
        unitPrice: '0.000140',
        pricingTierRangeMin: '100001',
        pricingTierRangeMax: '9223372036854780000',
        market: 'US',
        currency: 'USD',
        effectiveStartDate: '2018-03-01T00:00:00.0000000Z',
        effectiveEndDate: '9999-11-30T23:59:59.0000000Z',
        erpPrice: null,
        endOfSaleDate: null,
        termDuration: '',
      }),
    });
    expect(validatePriceRecord({ ...valid, unitPrice: '12.3456789' })).toMatchObject({
      ok: true,
      row: { unitPrice: '12.3456789' },
    });
  });

  it('reads empty tier bounds as null', () => {
    expect(validatePriceRecord({ ...valid, pricingTierRangeMin: '', pricingTierRangeMax: '' })).toMatchObject({
      ok: true,
      row: { pricingTierRangeMin: null, pricingTierRangeMax: null },
    });
  });

  it('accepts the pricing guide overlap rows', () => {
    const first = validatePriceRecord({
      ...valid,
      effectiveStartDate: '2021-10-01T00:00:00.0000000Z',
      effectiveEndDate: '2021-11-03T06:57:30.0682597Z',
    });
    expect(first).toMatchObject({ ok: true, row: { effectiveEndDate: '2021-11-03T06:57:30.0682597Z' } });
  });

  it.each([
    [{ effectiveEndDate: '2/1/2017 12:00:00 AM' }, 'EffectiveEndDate is before EffectiveStartDate'],
    [{ unitPrice: '1,5' }, 'UnitPrice is not a decimal number'],
    [{ unitPrice: '' }, 'UnitPrice is not a decimal number'],
    [{ productId: ' ' }, 'ProductId is empty'],
    [{ market: 'USA' }, 'Market is not a two-letter code'],
    [{ currency: '$' }, 'Currency is not a three-letter code'],
    [{ pricingTierRangeMax: 'lots' }, 'PricingTierRangeMax is not a decimal number'],
    [{ effectiveStartDate: 'soon' }, 'EffectiveStartDate "soon" is not a date'],
    [{ effectiveEndDate: undefined }, 'EffectiveEndDate is empty'],
  ])('rejects %j', (change, reason) => {
    const verdict = validatePriceRecord({ ...valid, ...change });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(reason);
  });
});

describe('fieldForHeader', () => {
  it.each([
    ['MeterIds', 'meterId'],
    ['\uFEFFProductTitle', 'productTitle'],
    ['PRICINGTIERRANGEMIN', 'pricingTierRangeMin'],
    ['ERP Price', 'erpPrice'],
    ['EndofSaleDate', 'endOfSaleDate'],
    ['BillingPlan', 'billingPlan'],
    ['Something Else', undefined],
  ])('%s → %s', (header, field) => {
    expect(fieldForHeader(header)).toBe(field);
  });
});
