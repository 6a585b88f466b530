import { createHash, createHmac } from 'node:crypto';
import Decimal from 'decimal.js';
import { handlePrices } from '../../../../shared/prices/endpoints/lookup';
import { testStorage } from '../../../helpers/storage';
import { meterId } from '../../../helpers/priceSheets';
import {
  consumptionSheet,
  fxCsv,
  ingestFx,
  ingestSheet,
  json,
  LICENSE_HEADER,
  licenseRow,
  logger,
  OVERLAP_METER,
  PRODUCT_METERS,
  q,
  TIER_METER,
} from '../../../helpers/apiFixtures';

/** The key the endpoints sign continuation tokens with in these tests. */
const PAGING_SECRET = 'test-paging-secret-of-32-characters!';

const { settings, storage } = testStorage();
const prices = (params: Record<string, string>) => handlePrices(q(params), storage, logger(), PAGING_SECRET);
const RATES_1 = { EUR: '1.0867', GBP: '1.26543210987654321', JPY: '0.0067123456789012' };
const RATES_2 = { EUR: '1.10', GBP: '1.25' };

beforeAll(async () => {
  await ingestSheet(storage, settings, consumptionSheet(), { asOf: '2026-11-01' });
  await ingestSheet(
    storage,
    settings,
    [
      licenseRow(),
      licenseRow({ TermDuration: 'P1M', BillingPlan: 'Monthly', UnitPrice: '22.00', 'ERP Price': '26.40' }),
      licenseRow({ TermDuration: 'P3Y', BillingPlan: 'Annual', UnitPrice: '712.80', 'ERP Price': '0' }),
      licenseRow({ Currency: 'GBP', UnitPrice: '205.20', 'ERP Price': '246.24' }),
      licenseRow({
        SkuId: '0003',
        SkuTitle: 'Trial',
        BillingPlan: 'None',
        TermDuration: 'P1M',
        UnitPrice: '0',
        'ERP Price': '0',
        Tags: 'Trial',
      }),
    ],
    { market: 'DE', view: 'updatedlicensebased', asOf: '2026-11-01', header: LICENSE_HEADER },
  );
  await ingestFx(storage, settings, fxCsv(RATES_1), '2026-10-31');
  await ingestFx(storage, settings, fxCsv(RATES_2, '202611'), '2026-11-05');
});

describe('GET /api/prices by meter: the overlap rule at the boundaries', () => {
  const at = async (date: string) =>
    json(await prices({ market: 'US', meterId: OVERLAP_METER, date })).items.map(
      (i: { unitPrice: number }) => i.unitPrice,
    );

  it("follows the pricing guide's example", async () => {
    expect(await at('2021-11-02')).toEqual([10]);
    expect(await at('2021-11-04')).toEqual([12]);
  });

  it('switches exactly after the first row ends', async () => {
    expect(await at('2021-10-31T23:59:59Z')).toEqual([10]);
    expect(await at('2021-11-01')).toEqual([10]); // both cover 1 Nov 00:00: the one ending first wins
    expect(await at('2021-11-03T06:57:30.0682597Z')).toEqual([10]);
    expect(await at('2021-11-03T06:57:30.0682598Z')).toEqual([12]);
    expect(await at('2021-11-03T08:57:31+02:00')).toEqual([12]);
    expect(await at('2021-09-30T23:59:59.9999999Z')).toEqual([]);
  });

  it('finds the meter whatever the case of its GUID, and returns every published field', async () => {
    const body = json(await prices({ market: 'us', meterId: OVERLAP_METER.toUpperCase(), date: '2021-11-04' }));
    expect(body).toMatchObject({
      market: 'US',
      view: 'azure_consumption',
      asOf: '2021-11-04T00:00:00.0000000Z',
      continuationToken: null,
    });
    expect(Object.keys(body.items[0])).toEqual([
      'productTitle',
      'productId',
      'skuId',
      'skuTitle',
      'publisher',
      'skuDescription',
      'unitOfMeasure',
      'termDuration',
      'billingPlan',
      'market',
      'currency',
      'unitPrice',
      'pricingTierRangeMin',
      'pricingTierRangeMax',
      'effectiveStartDate',
      'effectiveEndDate',
      'meterId',
      'meterType',
      'tags',
      'erpPrice',
      'region',
      'location',
      'priceType',
    ]);
    expect(body.items[0]).toMatchObject({
      effectiveStartDate: '2021-11-01T00:00:00.0000000Z',
      effectiveEndDate: '9999-11-30T23:59:59.0000000Z',
      erpPrice: null,
      region: '',
      priceType: '',
    });
  });
});

describe('GET /api/prices: tiers and exact numbers', () => {
  it('writes prices with exactly the published digits, tiers in numeric order', async () => {
    const response = await prices({ market: 'US', meterId: TIER_METER });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toContain('"unitPrice":0.000140,"pricingTierRangeMin":1,"pricingTierRangeMax":100,');
    expect(response.body).toContain('"pricingTierRangeMax":9223372036854780000');
    expect(json(response).items.map((i: { pricingTierRangeMin: number }) => i.pricingTierRangeMin)).toEqual([
      1, 101, 100001,
    ]);
  });
});

describe('GET /api/prices paging', () => {
  async function allPages(params: Record<string, string>): Promise<{ items: any[]; pages: number }> {
    const items: any[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const response = await prices({ ...params, ...(token ? { continuationToken: token } : {}) });
      expect(response.status).toBe(200);
      const body = json(response);
      items.push(...body.items);
      token = body.continuationToken;
      pages++;
    } while (token && pages < 100);
    return { items, pages };
  }

  it('pages through a product with many meters to the end, without repeats', async () => {
    const { items, pages } = await allPages({ market: 'US', productId: 'MANYMETERS01', top: '4' });
    expect(items.map((i) => i.meterId).sort()).toEqual([...PRODUCT_METERS].sort());
    expect(pages).toBe(4);
    const skus = await allPages({ market: 'US', productId: 'MANYMETERS01', skuId: '0001', top: '2' });
    expect(skus.items).toHaveLength(5);
    expect(new Set(skus.items.map((i) => i.skuId))).toEqual(new Set(['0001']));
  });

  it('pages through a whole market listing to the end', async () => {
    const { items } = await allPages({ market: 'US', top: '3', date: '2026-11-01' });
    expect(items).toHaveLength(1 + 3 + PRODUCT_METERS.length);
    expect(new Set(items.map((i) => `${i.meterId}|${i.pricingTierRangeMin}`)).size).toBe(items.length);
  });

  it('filters by SKU, term, billing plan and currency', async () => {
    const body = json(
      await prices({
        market: 'DE',
        view: 'updatedlicensebased',
        productId: 'CFQ7TTC0LCHC',
        currency: 'eur',
        termDuration: 'P1Y',
      }),
    );
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ currency: 'EUR', termDuration: 'P1Y', billingPlan: 'Annual' });
    const listed = json(await prices({ market: 'DE', view: 'updatedlicensebased', billingPlan: 'None' }));
    expect(listed.items.map((i: { skuId: string }) => i.skuId)).toEqual(['0003']);
  });

  it("keeps the first page's instant for later pages when date is left out", async () => {
    const first = json(await prices({ market: 'US', productId: 'MANYMETERS01', top: '10' }));
    const second = json(
      await prices({ market: 'US', productId: 'MANYMETERS01', top: '10', continuationToken: first.continuationToken }),
    );
    expect(second.asOf).toBe(first.asOf);
    expect(second.items).toHaveLength(5);
  });
});

describe('GET /api/prices for license-based prices', () => {
  it('adds the monthly equivalent and the partner margin', async () => {
    const body = json(
      await prices({
        market: 'DE',
        view: 'updatedlicensebased',
        productId: 'CFQ7TTC0LCHC',
        skuId: '0002',
        currency: 'EUR',
      }),
    );
    const byTerm = Object.fromEntries(body.items.map((i: { termDuration: string }) => [i.termDuration, i]));
    expect(byTerm.P1Y).toMatchObject({
      unitPrice: 237.6,
      monthlyUnitPrice: 19.8,
      marginAmount: 47.52,
      marginPercent: 16.67,
      erpPrice: 285.12,
      endOfSaleDate: null,
    });
    expect(byTerm.P1M).toMatchObject({ monthlyUnitPrice: 22, marginAmount: 4.4 });
    expect(byTerm.P3Y).toMatchObject({ monthlyUnitPrice: 19.8, marginAmount: null, marginPercent: null });
  });
});

describe('GET /api/prices?convertTo', () => {
  const convert = (amount: string, from: string, to: string) =>
    new Decimal(amount).times(from).div(to).toDecimalPlaces(10, Decimal.ROUND_HALF_EVEN).toFixed();

  it('converts USD to another currency with the rates in force on the date, and says how', async () => {
    const response = await prices({ market: 'US', meterId: TIER_METER, convertTo: 'eur', date: '2026-11-03' });
    const body = json(response);
    expect(body.conversion).toEqual({
      to: 'EUR',
      via: 'USD',
      rounding: 'ROUND_HALF_EVEN',
      decimals: 10,
      rateDate: '2026-10-31',
      source: 'test',
    });
    expect(body.items[0].converted).toEqual({
      currency: 'EUR',
      unitPrice: Number(convert('0.000140', '1', RATES_1.EUR)),
      usdPerUnit: 1.0867,
      fromUsdPerUnit: 1,
      rateDate: '2026-10-31',
      source: 'test',
    });
    expect(response.body).toContain(
      `"converted":{"currency":"EUR","unitPrice":${convert('0.000140', '1', RATES_1.EUR)},"usdPerUnit":1.0867,`,
    );
    const later = json(await prices({ market: 'US', meterId: TIER_METER, convertTo: 'EUR', date: '2026-11-06' }));
    expect(later.items[0].converted).toMatchObject({ usdPerUnit: 1.1, rateDate: '2026-11-05' });
  });

  it('converts between two currencies through USD, keeping long rates exact', async () => {
    const response = await prices({
      market: 'DE',
      view: 'updatedlicensebased',
      productId: 'CFQ7TTC0LCHC',
      currency: 'EUR',
      termDuration: 'P1Y',
      convertTo: 'GBP',
      date: '2026-11-01',
    });
    const expected = convert('237.60', RATES_1.EUR, RATES_1.GBP);
    expect(response.body).toContain(
      `"converted":{"currency":"GBP","unitPrice":${expected},"usdPerUnit":1.26543210987654321,"fromUsdPerUnit":1.0867,`,
    );
  });

  it('answers 422 RateNotFound for a currency without a rate, and before the first rates', async () => {
    const missing = await prices({ market: 'US', meterId: TIER_METER, convertTo: 'CHF', date: '2026-11-03' });
    expect(missing.status).toBe(422);
    expect(json(missing)).toMatchObject({
      status: 422,
      code: 'RateNotFound',
      parameter: 'convertTo',
      currency: 'CHF',
      date: '2026-11-03',
    });
    const early = await prices({ market: 'US', meterId: TIER_METER, convertTo: 'EUR', date: '2026-01-01' });
    expect(early.status).toBe(422);
    expect(json(early).code).toBe('RateNotFound');
    // The price currency itself (JPY rates exist only in the first fetch; GBP prices converted with the second).
    const fromGbp = await prices({
      market: 'DE',
      view: 'updatedlicensebased',
      productId: 'CFQ7TTC0LCHC',
      convertTo: 'JPY',
      date: '2026-11-06',
    });
    expect(fromGbp.status).toBe(422);
    expect(json(fromGbp).currency).toBe('JPY');
  });
});

describe('GET /api/prices: every 400', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['market missing', {}, 'market'],
    ['market of three letters', { market: 'USA' }, 'market'],
    ['unknown view', { market: 'US', view: 'marketplace' }, 'view'],
    ['top 0', { market: 'US', top: '0' }, 'top'],
    ['top above 1000', { market: 'US', top: '1001' }, 'top'],
    ['top not a number', { market: 'US', top: '10abc' }, 'top'],
    ['date not a date', { market: 'US', date: 'yesterday' }, 'date'],
    ['date out of range', { market: 'US', date: '2026-13-01' }, 'date'],
    ['date in US format', { market: 'US', date: '11/01/2026' }, 'date'],
    ['convertTo not a code', { market: 'US', convertTo: 'EURO' }, 'convertTo'],
    ['currency not a code', { market: 'US', currency: '€' }, 'currency'],
    ['meterId empty', { market: 'US', meterId: '' }, 'meterId'],
    ['productId with a control character', { market: 'US', productId: 'A\u0000B' }, 'productId'],
    ['skuId too long', { market: 'US', skuId: 'x'.repeat(101) }, 'skuId'],
    ['meterId with a character outside the BMP', { market: 'US', meterId: 'a\u{1F600}' }, 'meterId'],
    ['meterId of one emoji', { market: 'US', meterId: '\u{1F600}' }, 'meterId'],
    ['an unknown parameter', { market: 'US', meter: 'abc' }, 'meter'],
    ['a garbage token', { market: 'US', continuationToken: 'not-a-token' }, 'continuationToken'],
  ];
  it.each(cases)('%s', async (_what, params, parameter) => {
    const response = await prices(params);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const problem = json(response);
    expect(problem.parameter).toBe(parameter);
    expect(problem.detail).toContain(parameter);
    expect(problem).toMatchObject({ status: 400, type: expect.stringMatching(/^\/problems\/[a-z-]+$/) });
  });

  it('a repeated parameter', async () => {
    const response = await handlePrices(
      q(new URLSearchParams('market=US&market=DE')),
      storage,
      logger(),
      PAGING_SECRET,
    );
    expect(response.status).toBe(400);
    expect(json(response)).toMatchObject({ code: 'DuplicateParameter', parameter: 'market' });
  });

  it('ignores the function key parameter', async () => {
    expect((await prices({ market: 'US', meterId: TIER_METER, code: 'secret-key' })).status).toBe(200);
  });

  it('a tampered token, a token of another query, another date', async () => {
    const first = json(await prices({ market: 'US', productId: 'MANYMETERS01', top: '2', date: '2026-11-01' }));
    const token: string = first.continuationToken;
    const [body, check] = token.split('.');
    const cursor = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forgedBody = Buffer.from(JSON.stringify({ ...cursor, c: { source: 5, offset: 0 } })).toString('base64url');
    const forged = `${forgedBody}.${check}`;
    for (const [params, code] of [
      [{ market: 'US', productId: 'MANYMETERS01', continuationToken: forged }, 'InvalidContinuationToken'],
      [
        {
          market: 'US',
          productId: 'MANYMETERS01',
          continuationToken: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
        },
        'InvalidContinuationToken',
      ],
      [{ market: 'US', productId: 'TIERED00PROD', continuationToken: token }, 'InvalidContinuationToken'],
      [
        { market: 'US', productId: 'MANYMETERS01', top: '2', continuationToken: token, date: '2026-11-02' },
        'InvalidParameter',
      ],
    ] as const) {
      const response = await prices(params);
      expect(response.status).toBe(400);
      expect(json(response).code).toBe(code);
    }
    expect((await prices({ market: 'US', productId: 'MANYMETERS01', top: '2', continuationToken: token })).status).toBe(
      200,
    );
  });
});

describe('GET /api/prices: continuation tokens are signed and bound to their query', () => {
  const LISTING = { market: 'US', top: '3', date: '2026-11-01' };
  /** A cursor that resumes the US listing in the German license-based partition. */
  const germanCursor = {
    at: '2026-11-01T00:00:00.0000000Z',
    c: { partitionKey: 'DE|updatedlicensebased|pCFQ7TTC0LCHC', lastRowKey: '' },
  };
  const body = Buffer.from(JSON.stringify(germanCursor)).toString('base64url');

  const expectRefused = async (params: Record<string, string>) => {
    const response = await prices(params);
    expect(response.status).toBe(400);
    expect(json(response)).toMatchObject({ code: 'InvalidContinuationToken', parameter: 'continuationToken' });
    expect(response.body).not.toContain('"market":"DE"');
  };

  it('refuses a token forged with a check value anyone can compute (it read German prices)', async () => {
    // The check of the unsigned tokens: a public hash of the format, the query's binding and the cursor.
    const binding = JSON.stringify([
      'prices',
      ...[
        'billingPlan',
        'convertTo',
        'currency',
        'market',
        'meterId',
        'productId',
        'skuId',
        'termDuration',
        'view',
      ].map((k) => [k, ({ market: 'US', view: 'azure_consumption' } as Record<string, string>)[k] ?? null]),
    ]);
    const check = createHash('sha256').update(`v1\n${binding}\n${body}`).digest('base64url').slice(0, 22);
    await expectRefused({ ...LISTING, continuationToken: `${body}.${check}` });
  });

  it('refuses a token signed with another key (another installation, a restart without the setting)', async () => {
    const signature = createHmac('sha256', 'another-secret-of-at-least-32-chars').update(body).digest('base64url');
    await expectRefused({ ...LISTING, continuationToken: `${body}.${signature}` });
    const issued = json(await handlePrices(q(LISTING), storage, logger(), 'another-secret-of-at-least-32-chars'));
    expect(issued.continuationToken).toEqual(expect.any(String));
    await expectRefused({ ...LISTING, continuationToken: issued.continuationToken });
  });

  it('refuses a genuine token with any other parameter, top included', async () => {
    const token: string = json(await prices(LISTING)).continuationToken;
    const others: Record<string, string>[] = [
      { view: 'azure_reservations' },
      { market: 'DE' },
      { top: '4' },
      { currency: 'USD' },
      { convertTo: 'EUR' },
      { meterId: TIER_METER },
    ];
    for (const other of others) await expectRefused({ ...LISTING, ...other, continuationToken: token });
    const next = json(await prices({ ...LISTING, continuationToken: token }));
    expect(next.items.map((item: { market: string }) => item.market)).toEqual(['US', 'US', 'US']);
  });
});

describe('GET /api/prices: injection strings never reach a filter unescaped', () => {
  const INJECTIONS = ["' or PartitionKey ne '", "x' or '1' eq '1", "') or (RowKey ne '", '%27 or 1 eq 1'];

  it.each(INJECTIONS)('free-text parameters answer no items: %s', async (attack) => {
    for (const parameter of ['meterId', 'productId', 'skuId', 'termDuration', 'billingPlan']) {
      const response = await prices({ market: 'US', [parameter]: attack });
      expect(response.status).toBe(200);
      expect(json(response).items).toEqual([]);
    }
    const licensed = await prices({ market: 'DE', view: 'updatedlicensebased', productId: attack });
    expect(json(licensed).items).toEqual([]);
  });

  it.each(INJECTIONS)('coded parameters are refused: %s', async (attack) => {
    for (const parameter of ['market', 'view', 'currency', 'convertTo', 'date', 'top', 'continuationToken']) {
      const response = await prices({ market: 'US', [parameter]: attack });
      expect(response.status).toBe(400);
      expect(json(response).parameter).toBe(parameter);
    }
  });

  it('an unknown meter is an empty answer, not an error', async () => {
    expect(json(await prices({ market: 'US', meterId: meterId(0xdead) }))).toMatchObject({
      items: [],
      continuationToken: null,
    });
  });
});
