import fc from 'fast-check';
import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { testSettings } from '../helpers/storage';
import { createStorageClients } from '../../shared/storage/clients';
import {
  consumptionSheet,
  fxCsv,
  ingestFx,
  ingestSheet,
  LICENSE_HEADER,
  licenseRow,
  OVERLAP_METER,
  PRODUCT_METERS,
  TIER_METER,
} from '../helpers/apiFixtures';

/**
 * Every HTTP endpoint through the local runner (the registrations the host reads), with sample data
 * in Azurite, fed random parameters and bodies: no answer is a 5xx, every answer is JSON, and no
 * item lies outside the query asked (market, view, meter, product, SKU, term, plan, currency), on
 * the first page or any page a continuation token (genuine, foreign or forged) leads to.
 * A page of prices never holds more than `top` items (a tiered meter's tiers continue on the next page).
 */

const KEY = 'fuzz-function-key';
const VIEWS = ['azure_consumption', 'azure_reservations', 'updatedlicensebased'];
const RUNS = 400;

type Pairs = [string, string][];
interface Call {
  method: 'GET' | 'POST';
  path: string;
  pairs: Pairs;
  /** Appended to the encoded query as is: malformed escapes, stray separators. */
  rawTail: string;
  body?: string;
  withKey: boolean;
}

/** Text the way callers get it wrong: empty, long, control characters, emoji, lone escapes, injections. */
const nastyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('0', '1001', '2.5', '2026-13-01', '11/01/2026'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', ' ', 'x'.repeat(101), "' or PartitionKey ne '", 'a\u{1F600}', '\u{1F600}', '%', 'ü|ä', 'a/b#c?'),
);
/** Mostly a value the data holds (so that answers have items to check), else nasty text. */
const pick = (values: readonly string[]) =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: nastyText });
/** Mostly nothing. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const priceParameters = {
  market: pick(['US', 'DE', 'us', 'de', 'GB']),
  view: pick(VIEWS),
  meterId: pick([OVERLAP_METER, TIER_METER, TIER_METER.toUpperCase(), ...PRODUCT_METERS.slice(0, 3)]),
  productId: pick(['CFQ7TTC0HD7P', 'TIERED00PROD', 'MANYMETERS01', 'CFQ7TTC0LCHC']),
  skuId: pick(['0001', '0002', '0003']),
  termDuration: pick(['P1Y', 'P1M', 'P3Y']),
  billingPlan: pick(['Annual', 'Monthly', 'None']),
  currency: pick(['USD', 'EUR', 'eur', 'GBP']),
  date: pick(['2026-11-01', '2026-11-02T12:00:00Z', '2021-11-02']),
  convertTo: pick(['EUR', 'GBP', 'JPY', 'XXX']),
  top: pick(['1', '2', '3', '1000']),
};
const changesParameters = {
  market: priceParameters.market,
  view: priceParameters.view,
  from: pick(['2026-11-01', '2026-11-02', '2026-10-01']),
  to: pick(['2026-11-02', '2026-11-01', 'future', '2026-11-30']),
  top: priceParameters.top,
};
const ratesParameters = { date: pick(['2026-11-01', '2026-11-05', '2020-01-01']), currency: priceParameters.currency };

/**
 * The required parameters (almost always) and some others; rarely one repeated, an unknown one, or
 * a continuation token from the pool (genuine of any query, altered, or garbage).
 */
function queryOf(
  parameters: Record<string, fc.Arbitrary<string>>,
  required: string[],
  tokens: () => string[],
): fc.Arbitrary<Pairs> {
  const optional = Object.keys(parameters).filter((name) => !required.includes(name));
  return fc
    .tuple(
      fc.oneof({ weight: 19, arbitrary: fc.constant(required) }, { weight: 1, arbitrary: fc.subarray(required) }),
      fc.subarray(optional, { maxLength: Math.min(2, optional.length) }),
      rarely(fc.constantFrom(...Object.keys(parameters))),
      rarely(fc.constantFrom('code', 'unknown', 'Market')),
      fc.nat(),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.constant('as-is' as const) },
        { weight: 1, arbitrary: fc.constantFrom('altered' as const, 'garbage' as const) },
      ),
    )
    .chain(([present, chosen, repeated, extra, tokenIndex, tokenKind]) => {
      const names = [...present, ...chosen, ...(repeated === undefined ? [] : [repeated])];
      return fc.tuple(...names.map((name) => parameters[name])).map((values) => {
        const pairs: Pairs = names.map((name, i) => [name, values[i]]);
        if (extra !== undefined) pairs.push([extra, 'x']);
        const pool = tokens();
        if (tokenKind !== undefined && pool.length > 0) {
          const token = pool[tokenIndex % pool.length];
          const sent = { 'as-is': token, altered: `${token.slice(0, -2)}xy`, garbage: 'e30.AAAA' }[tokenKind];
          pairs.push(['continuationToken', sent]);
        }
        return pairs;
      });
    });
}

/** Queries of the data loaded (US consumption, DE license-based), so that many answers have items to check. */
const loadedPrices: fc.Arbitrary<Pairs> = fc
  .tuple(
    fc.constantFrom<Pairs>(
      [['market', 'US']],
      [
        ['market', 'us'],
        ['view', 'azure_consumption'],
      ],
      [
        ['market', 'DE'],
        ['view', 'updatedlicensebased'],
      ],
    ),
    fc.constantFrom<Pairs>(
      [],
      [['meterId', TIER_METER]],
      [
        ['meterId', OVERLAP_METER],
        ['date', '2021-11-02'],
      ],
      [['productId', 'MANYMETERS01']],
      [
        ['productId', 'MANYMETERS01'],
        ['skuId', '0001'],
      ],
      [
        ['productId', 'CFQ7TTC0LCHC'],
        ['billingPlan', 'Annual'],
      ],
      [['termDuration', 'P1M']],
      [['currency', 'eur']],
      [['convertTo', 'EUR']],
    ),
    fc.constantFrom('1', '2', '3', '50'),
  )
  .map(([base, filter, top]) => [...base, ...filter, ['top', top]]);

const rawTail = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('&', '&%', '&%ZZ', '&meterId=%F0%9F%98%80', '&market=%E0%A4%A', '&=') },
);
const withKey = fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

const customerBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc
    .record(
      {
        country: pick(['RU', 'BY', 'KZ', 'US', 'ru']),
        organizationRegistrationNumber: pick(['7709442668', '7709 442 668', '123']),
        phoneNumber: pick(['+79123456789', '8 912 345-67-89', '+1 202 555 0100']),
        firstName: nastyText,
        companyName: nastyText,
      },
      { requiredKeys: [] },
    )
    .map((customer) => JSON.stringify(customer)),
  fc.constant(`{"companyName":"${'x'.repeat(70 * 1024)}"}`),
);

describe('HTTP API under random requests (fast-check, through the local runner)', () => {
  let runner: Runner;
  const settings = testSettings({ LOCAL_FUNCTION_KEY: KEY });
  const storage = createStorageClients(settings);
  /** Genuine tokens seen so far, of whatever query: replayed with other queries. */
  const tokens: string[] = [];

  beforeAll(async () => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    await ingestSheet(storage, settings, consumptionSheet(), { asOf: '2026-11-01' });
    // The next day: one price gone, every fourth repriced (so that price changes have pages).
    const nextDay = consumptionSheet()
      .slice(1)
      .map((row, i) => (i % 4 === 0 ? { ...row, UnitPrice: `9.${i}` } : row));
    await ingestSheet(storage, settings, nextDay, { asOf: '2026-11-02' });
    await ingestSheet(
      storage,
      settings,
      [
        licenseRow(),
        licenseRow({ TermDuration: 'P1M', BillingPlan: 'Monthly', UnitPrice: '22.00', 'ERP Price': '26.40' }),
        licenseRow({ Currency: 'GBP', UnitPrice: '205.20', 'ERP Price': '246.24' }),
        licenseRow({ SkuId: '0003', BillingPlan: 'None', TermDuration: 'P1M', UnitPrice: '0', 'ERP Price': '0' }),
      ],
      { market: 'DE', view: 'updatedlicensebased', asOf: '2026-11-01', header: LICENSE_HEADER },
    );
    await ingestFx(storage, settings, fxCsv({ EUR: '1.0867', GBP: '1.26543210987654321' }), '2026-10-31');
    runner = await startTestRunner({
      settings,
      storage,
      functionKey: KEY,
    });
  });
  afterAll(() => runner?.close());

  /** Genuine tokens of a few queries, for the fuzz to replay with others (a forged cursor once read German prices). */
  beforeAll(async () => {
    for (const query of [
      'prices?market=US&top=3&date=2026-11-01',
      'prices?market=US&productId=MANYMETERS01&top=2',
      'prices?market=DE&view=updatedlicensebased&top=1',
      'prices/changes?market=US&from=2026-11-01&to=2026-11-02&top=1',
    ]) {
      const answer = (await (
        await fetch(`${runner.url}/api/${query}`, { headers: { 'x-functions-key': KEY } })
      ).json()) as {
        continuationToken: string;
      };
      tokens.push(answer.continuationToken);
    }
    expect(tokens).toEqual(tokens.map(() => expect.any(String)));
  });

  const call = fc.oneof(
    { weight: 3, arbitrary: endpoint('GET', 'prices', loadedPrices) },
    {
      weight: 4,
      arbitrary: endpoint(
        'GET',
        'prices',
        queryOf(priceParameters, ['market'], () => tokens),
      ),
    },
    {
      weight: 2,
      arbitrary: endpoint(
        'GET',
        'prices/changes',
        queryOf(changesParameters, ['market', 'from', 'to'], () => tokens),
      ),
    },
    endpoint(
      'GET',
      'exchange-rates',
      queryOf(ratesParameters, [], () => tokens),
    ),
    endpoint('GET', fc.constantFrom('health', 'openapi.json', 'prices/x', 'nope', 'prices%ZZ'), fc.constant([])),
    fc.record({
      method: fc.constant('POST' as const),
      path: fc.constant('/api/customers/validate'),
      pairs: fc.constant([] as Pairs),
      rawTail: fc.constant(''),
      body: customerBody,
      withKey,
    }),
  );

  it(`answers ${RUNS} random requests without a 5xx and without an item outside the query`, async () => {
    await fc.assert(
      fc.asyncProperty(call, async (request) => {
        const answer = await send(request);
        if (answer.status >= 500) throw new Error(`${answer.status} for ${target(request)}: ${answer.text}`);
        const body = JSON.parse(answer.text) as Record<string, unknown>;
        if (answer.status !== 200)
          return expect(body).toMatchObject({ status: answer.status, code: expect.any(String) });
        await checkWithinQuery(request, body);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 40_000 },
    );
  }, 60_000);

  function endpoint(
    method: 'GET',
    route: string | fc.Arbitrary<string>,
    pairs: fc.Arbitrary<Pairs>,
  ): fc.Arbitrary<Call> {
    return fc.record({
      method: fc.constant(method),
      path: (typeof route === 'string' ? fc.constant(route) : route).map((r) => `/api/${r}`),
      pairs,
      rawTail,
      withKey,
    });
  }

  function target(request: Call): string {
    return `${request.method} ${request.path}?${new URLSearchParams(request.pairs).toString()}${request.rawTail}`;
  }

  async function send(request: Call): Promise<{ status: number; text: string }> {
    const response = await fetch(`${runner.url}${target(request).slice(request.method.length + 1)}`, {
      method: request.method,
      headers: request.withKey ? { 'x-functions-key': KEY } : {},
      body: request.body,
    });
    return { status: response.status, text: await response.text() };
  }

  /** Every item answers the query as sent (repeats and raw tails were refused before a 200 could come). */
  async function checkWithinQuery(request: Call, body: Record<string, unknown>, pages = 1): Promise<void> {
    const query = new URLSearchParams(
      `${new URLSearchParams(request.pairs).toString()}${request.rawTail}`.replace(/^&/, ''),
    );
    const asked = (name: string) => query.get(name) ?? undefined;
    const market = asked('market')?.toUpperCase();
    if (request.path === '/api/prices') {
      expect(body.market).toBe(market);
      expect(body.view).toBe(asked('view') ?? 'azure_consumption');
      const top = Number(asked('top') ?? 100);
      expect({ query: target(request), items: (body.items as unknown[]).length <= top }).toEqual({
        query: target(request),
        items: true,
      });
      for (const item of body.items as Record<string, string>[]) {
        const context = { query: target(request), item };
        expect(context).toEqual({ ...context, item: expect.objectContaining({ market }) });
        const meterId = asked('meterId');
        if (meterId !== undefined) expect(item.meterId.toLowerCase()).toBe(meterId.toLowerCase());
        for (const field of ['productId', 'skuId', 'termDuration', 'billingPlan'])
          if (asked(field) !== undefined) expect({ field, value: item[field] }).toEqual({ field, value: asked(field) });
        if (asked('currency') !== undefined) expect(item.currency).toBe(asked('currency')?.toUpperCase());
      }
    } else if (request.path === '/api/prices/changes') {
      expect(body.market).toBe(market);
      const changed = body.changed as { before: Record<string, string> | null; after: Record<string, string> }[];
      const items = [
        ...(body.added as Record<string, string>[]),
        ...(body.removed as Record<string, string>[]),
        ...changed.flatMap((change) => (change.before ? [change.before, change.after] : [change.after])),
      ];
      for (const item of items) expect(item.market).toBe(market);
    } else if (request.path === '/api/exchange-rates' && asked('currency') !== undefined) {
      for (const rate of body.rates as { currency: string }[])
        expect(rate.currency).toBe(asked('currency')?.toUpperCase());
    }
    const token = body.continuationToken;
    if (typeof token !== 'string') return;
    tokens.push(token);
    if (pages >= 2) return;
    // The next page, asked the same way, stays within the same query.
    const pairs: Pairs = [
      ...request.pairs.filter(([name]) => name !== 'continuationToken'),
      ['continuationToken', token],
    ];
    const next = { ...request, pairs };
    const answer = await send(next);
    expect({ query: target(next), status: answer.status }).toEqual({ query: target(next), status: 200 });
    await checkWithinQuery(next, JSON.parse(answer.text) as Record<string, unknown>, pages + 1);
  }
});
