import { Readable } from 'node:stream';
import { quote, quoteRequestSchema, type QuoteRequest } from '../../../shared/quotes/quote';
import { handleQuote } from '../../../shared/quotes/endpoints/quotes';
import { putRule } from '../../../shared/quotes/ruleStore';
import { ruleBodySchema, ruleOf } from '../../../shared/quotes/rule';
import { ApiError } from '../../../shared/api/errors';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { fxCsv, ingestFx, ingestSheet, json, LICENSE_HEADER, licenseRow, logger } from '../../helpers/apiFixtures';

const { storage, settings } = testStorage();
const DATE = '2026-11-02';

const TIERED = meterId(0x9001);
const FROM_ZERO = meterId(0x9002);
const THIRD_PARTY = meterId(0x9003);
const RESERVATION = meterId(0x9004);

const tier = (meter: string, min: string, max: string, price: string) =>
  consumptionRow({
    ProductId: 'DZH318Z0BNVX',
    SkuId: '0001',
    SkuTitle: 'Standard',
    MeterIds: meter,
    UnitOfMeasure: '1 GB',
    Tags: 'Azure',
    UnitPrice: price,
    PricingTierRangeMin: min,
    PricingTierRangeMax: max,
  });

beforeAll(async () => {
  await ingestSheet(
    storage,
    settings,
    [
      tier(TIERED, '1', '100', '0.087000'),
      tier(TIERED, '101', '100000', '0.069600'),
      tier(TIERED, '100001', '9223372036854780000', '0.043500'),
      ...[
        ['0', '0.20'],
        ['51200', '0.15'],
        ['512000', '0.10'],
      ].map(([min, price]) => ({ ...tier(FROM_ZERO, min, '', price), ProductId: 'DZH318Z0BNZJ', SkuId: '000K' })),
      consumptionRow({
        ProductId: 'DZH318Z0C3PL',
        SkuId: '0001',
        MeterIds: THIRD_PARTY,
        UnitPrice: '2.50',
        Tags: 'ThirdParty',
      }),
    ],
    { asOf: '2026-11-01' },
  );
  await ingestSheet(
    storage,
    settings,
    [
      consumptionRow({
        ProductId: 'DZH318Z0BPS6',
        SkuId: '0001',
        SkuTitle: 'Standard_D2_v3 1 Year',
        MeterIds: RESERVATION,
        TermDuration: 'P1Y',
        UnitPrice: '613.2000',
        PricingTierRangeMin: '',
        Tags: 'Reservation',
      }),
    ],
    { view: 'azure_reservations', asOf: '2026-11-01' },
  );
  await ingestSheet(
    storage,
    settings,
    [
      licenseRow(),
      licenseRow({ TermDuration: 'P1Y', BillingPlan: 'Monthly', UnitPrice: '250.80' }),
      licenseRow({ SkuId: '0009', Currency: 'GBP', UnitPrice: '205.20' }),
    ],
    { market: 'DE', view: 'updatedlicensebased', asOf: '2026-11-01', header: LICENSE_HEADER },
  );
  await ingestFx(storage, settings, fxCsv({ EUR: '1.0867', GBP: '1.25' }, '202611'), '2026-11-01');
});

const request = (body: unknown): QuoteRequest => quoteRequestSchema.parse(body);
const quoteOf = (body: unknown) => quote(storage, settings, request(body));

describe('quote(): tiers, partner-earned credit, rules', () => {
  it('prices 101 units over the tiers, with PEC and no rule', async () => {
    const result = await quoteOf({ market: 'US', date: DATE, lines: [{ meterId: TIERED, quantity: 101 }] });
    expect(result.lines[0]).toMatchObject({
      line: 0,
      item: { view: 'azure_consumption', meterId: TIERED, productId: 'DZH318Z0BNVX', currency: 'USD' },
      quantity: '101',
      unit: '1 GB',
      tiers: [
        { from: '1', to: '100', quantity: '100', unitPrice: '0.087000', amount: '8.7' },
        { from: '101', to: '100000', quantity: '1', unitPrice: '0.069600', amount: '0.0696' },
      ],
      amount: '8.7696',
      pec: { eligible: true, percent: '15' },
      partnerCost: '7.45416',
      customerAmount: '8.7696',
      rule: null,
    });
    expect(result.lines[0].monthly).toBeUndefined();
    expect(result).toMatchObject({
      currency: 'USD',
      total: '8.7696',
      partnerCostTotal: '7.45416',
      customerTotal: '8.7696',
      rate: null,
    });
  });

  it('puts the first 51,200 units of a tier-from-0 meter at tier 1', async () => {
    const result = await quoteOf({
      market: 'US',
      date: DATE,
      lines: [
        { meterId: FROM_ZERO, quantity: '51200' },
        { meterId: FROM_ZERO, quantity: '51201' },
        { meterId: FROM_ZERO, quantity: '0' },
      ],
    });
    expect(result.lines.map((line) => line.amount)).toEqual(['10240', '10240.15', '0']);
    expect(result.lines[2].tiers).toEqual([]);
    expect(result.total).toBe('20480.15');
  });

  it('applies the most specific rule, names it, and rounds the customer amount', async () => {
    const put = (id: string, body: unknown) => putRule(storage, ruleOf(id, ruleBodySchema.parse(body)));
    await put('everyone', { adjustment: { type: 'markupPercent', percent: '5' }, validFrom: '2026-01-01' });
    await put('contoso-bandwidth', {
      scope: { customer: 'contoso', productId: 'DZH318Z0BNVX' },
      adjustment: { type: 'marginPercent', percent: '30' },
      rounding: { decimals: 2, mode: 'up' },
      validFrom: '2026-01-01',
    });
    const lines = [{ meterId: TIERED, quantity: '101' }];
    const contoso = await quoteOf({ market: 'US', date: DATE, customer: 'contoso', lines });
    // 7.45416 ÷ 0.7 = 10.6488 (exact), rounded up to cents.
    expect(contoso.lines[0]).toMatchObject({
      partnerCost: '7.45416',
      customerAmount: '10.65',
      rule: {
        id: 'contoso-bandwidth',
        adjustment: { type: 'marginPercent', percent: '30' },
        rounding: { decimals: 2, mode: 'up' },
      },
    });
    const other = await quoteOf({ market: 'US', date: DATE, customer: 'fabrikam', lines });
    // 7.45416 × 1.05 = 7.826868 → the currency's 2 places, half-up.
    expect(other.lines[0]).toMatchObject({
      customerAmount: '7.83',
      rule: { id: 'everyone', rounding: { decimals: 2, mode: 'halfUp' } },
    });
    const before = await quoteOf({ market: 'US', date: '2025-12-31', customer: 'contoso', lines });
    expect(before.lines[0].rule).toBeNull();
  });

  it('gives ThirdParty and reservation rows no PEC; reservations per month and per hour of the term', async () => {
    const result = await quoteOf({
      market: 'US',
      date: DATE,
      customer: 'nobody',
      lines: [
        { meterId: THIRD_PARTY, quantity: '2' },
        { meterId: RESERVATION, quantity: '3' },
      ],
    });
    expect(result.lines[0]).toMatchObject({ amount: '5', partnerCost: '5', pec: { eligible: false, percent: null } });
    const reservation = result.lines[1];
    expect(reservation).toMatchObject({
      item: { view: 'azure_reservations', termDuration: 'P1Y' },
      amount: '1839.6',
      partnerCost: '1839.6',
    });
    // the "everyone" rule: 1839.6 × 1.05 = 1931.58
    expect(reservation.customerAmount).toBe('1931.58');
    expect(reservation.monthly).toEqual({
      amount: '153.3',
      partnerCost: '153.3',
      customerAmount: '160.965',
      months: 12,
    });
    expect(reservation.hourly).toEqual({ amount: '0.21', partnerCost: '0.21', customerAmount: '0.2205', hours: 8760 });
  });

  it('applies a fixed amount per unit only in its currency', async () => {
    await putRule(
      storage,
      ruleOf(
        'fixed-eur',
        ruleBodySchema.parse({
          scope: { customer: 'fixed-co' },
          adjustment: { type: 'fixedPerUnit', amount: '0.005', currency: 'EUR' },
          rounding: { decimals: 4, mode: 'halfEven' },
          validFrom: '2026-01-01',
        }),
      ),
    );
    const lines = [{ meterId: TIERED, quantity: '101' }];
    const inUsd = await quoteOf({ market: 'US', date: DATE, customer: 'fixed-co', lines });
    expect(inUsd.lines[0].rule?.id).toBe('everyone');
    const inEur = await quoteOf({ market: 'US', date: DATE, customer: 'fixed-co', currency: 'EUR', lines });
    // Tier prices ÷ 1.0867 (10 places): 100 × 0.0800588939 + 1 × 0.0640471151 = 8.0699365051; less 15 % PEC
    // = 6.859446029335; + 101 × 0.005 = 7.364446029335 → 7.3644 (4 places, half-even).
    expect(inEur.lines[0]).toMatchObject({
      amount: '8.0699365051',
      partnerCost: '6.859446029335',
      customerAmount: '7.3644',
      rule: { id: 'fixed-eur', rounding: { decimals: 4, mode: 'halfEven' } },
    });
  });

  it('quotes a license P1Y per month, and converts with the rate it names', async () => {
    const base = {
      market: 'DE',
      date: DATE,
      lines: [{ productId: 'CFQ7TTC0LCHC', skuId: '0002', billingPlan: 'Annual', quantity: 10 }],
    };
    const inEur = await quoteOf(base);
    expect(inEur.lines[0]).toMatchObject({
      amount: '2376',
      pec: { eligible: false },
      monthly: { amount: '198', months: 12 },
    });
    expect(inEur.lines[0].hourly).toBeUndefined();

    const inUsd = await quoteOf({ ...base, currency: 'usd' });
    // 237.60 EUR × 1.0867 USD/EUR = 258.19992 USD a license.
    expect(inUsd.lines[0].tiers[0].unitPrice).toBe('258.19992');
    expect(inUsd.lines[0].amount).toBe('2581.9992');
    expect(inUsd).toMatchObject({
      currency: 'USD',
      rate: {
        currency: 'USD',
        usdPerUnit: '1',
        from: [{ currency: 'EUR', usdPerUnit: '1.0867' }],
        asOf: '2026-11-01',
        via: 'USD',
        rounding: 'ROUND_HALF_EVEN',
        decimals: 10,
      },
    });
  });
});

describe('quote(): lines that name nothing or too much', () => {
  const failure = async (body: unknown) => {
    const error = await quoteOf(body).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  };

  it('is a 422 naming the line when nothing is in force', async () => {
    const error = await failure({
      market: 'US',
      date: DATE,
      lines: [
        { meterId: TIERED, quantity: 1 },
        { meterId: meterId(0x9999), quantity: 1 },
      ],
    });
    expect(error).toMatchObject({ status: 422, code: 'ItemNotFound', extensions: { field: 'lines[1]', line: 1 } });
    expect(error.message.startsWith('lines[1]: ')).toBe(true);
    const tooEarly = await failure({ market: 'US', date: '2017-01-01', lines: [{ meterId: TIERED, quantity: 1 }] });
    expect(tooEarly).toMatchObject({ code: 'ItemNotFound', extensions: { field: 'lines[0]' } });
  });

  it('is a 422 listing the candidates when a line is ambiguous', async () => {
    const error = await failure({
      market: 'DE',
      date: DATE,
      lines: [{ productId: 'CFQ7TTC0LCHC', skuId: '0002', quantity: 1 }],
    });
    expect(error).toMatchObject({ status: 422, code: 'AmbiguousItem', extensions: { field: 'lines[0]' } });
    expect((error.extensions.candidates as { billingPlan: string }[]).map((c) => c.billingPlan).sort()).toEqual([
      'Annual',
      'Monthly',
    ]);
  });

  it('is a 422 when lines are priced in different currencies and none is named; converts when one is', async () => {
    const lines = [
      { productId: 'CFQ7TTC0LCHC', skuId: '0002', billingPlan: 'Annual', quantity: 1 },
      { productId: 'CFQ7TTC0LCHC', skuId: '0009', quantity: 1 },
    ];
    const error = await failure({ market: 'DE', date: DATE, lines });
    expect(error).toMatchObject({
      status: 422,
      code: 'MixedCurrencies',
      extensions: { field: 'currency', currencies: ['EUR', 'GBP'] },
    });
    const inGbp = await quoteOf({ market: 'DE', date: DATE, currency: 'GBP', lines });
    // 237.60 EUR × 1.0867 ÷ 1.25 = 206.559936 GBP; the GBP line as published.
    expect(inGbp.lines.map((line) => line.amount)).toEqual(['206.559936', '205.2']);
    expect(inGbp.rate).toMatchObject({
      currency: 'GBP',
      usdPerUnit: '1.25',
      from: [{ currency: 'EUR', usdPerUnit: '1.0867' }],
    });
  });

  it('is a 422 RateNotFound when the currency has no rate that day', async () => {
    const lines = [{ meterId: TIERED, quantity: 1 }];
    expect(await failure({ market: 'US', date: DATE, currency: 'JPY', lines })).toMatchObject({
      status: 422,
      code: 'RateNotFound',
      extensions: { field: 'currency' },
    });
  });
});

describe('POST /api/quotes', () => {
  const post = (body: unknown) =>
    handleQuote(
      Readable.from([Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))]),
      null,
      storage,
      settings,
      logger(),
    );

  it('answers exact numbers', async () => {
    const response = await post({ market: 'US', date: DATE, lines: [{ meterId: TIERED, quantity: '101' }] });
    expect(response.status).toBe(200);
    expect(response.body).toContain('"unitPrice":0.087000');
    expect(response.body).toContain('"partnerCost":7.45416');
    expect(json(response).lines[0].tiers).toHaveLength(2);
  });

  it.each([
    ['lines[0].quantity', { market: 'US', lines: [{ meterId: TIERED, quantity: '-1' }] }],
    ['lines[0].quantity', { market: 'US', lines: [{ meterId: TIERED, quantity: 'ten' }] }],
    ['lines[1].meterId', { market: 'US', lines: [{ meterId: TIERED, quantity: 1 }, { quantity: 1 }] }],
    ['lines[0].skuId', { market: 'US', lines: [{ productId: 'DZH318Z0BNVX', quantity: 1 }] }],
    ['lines', { market: 'US', lines: [] }],
    ['market', { market: 'USA', lines: [{ meterId: TIERED, quantity: 1 }] }],
    ['date', { market: 'US', date: 'tomorrow', lines: [{ meterId: TIERED, quantity: 1 }] }],
    ['lines[0].colour', { market: 'US', lines: [{ meterId: TIERED, quantity: 1, colour: 'red' }] }],
  ])('answers 400 naming %s', async (field, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(json(response)).toMatchObject({ status: 400, code: 'InvalidBody', field });
  });

  it('answers 422 with the line for an unknown item', async () => {
    const response = await post({ market: 'US', date: DATE, lines: [{ meterId: meterId(0x9998), quantity: 1 }] });
    expect(response.status).toBe(422);
    expect(json(response)).toMatchObject({ status: 422, code: 'ItemNotFound', field: 'lines[0]', line: 0 });
  });
});
