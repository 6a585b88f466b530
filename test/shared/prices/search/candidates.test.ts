import path from 'node:path';
import fc from 'fast-check';
import { ingestPriceSheet } from '../../../../shared/prices/ingest';
import { handlePrices } from '../../../../shared/prices/endpoints/lookup';
import { lookupPrices, type PriceQuery } from '../../../../shared/prices/lookup';
import { parseFilter, type FilterNode } from '../../../../shared/prices/search/filter';
import { matchesFilter } from '../../../../shared/prices/search/match';
import { candidateUnits } from '../../../../shared/prices/search/candidates';
import { committedRuns } from '../../../../shared/prices/tables/committedRuns';
import type { PriceVersion } from '../../../../shared/prices/version';
import type { StorageClients } from '../../../../shared/storage/clients';
import { testStorage } from '../../../helpers/storage';
import { consumptionRow, fileDownload, ingestRequest, meterId, type SheetRow } from '../../../helpers/priceSheets';
import { ingestSheet, json, logger, q } from '../../../helpers/apiFixtures';

/** The search (index → units → versions in force → filter) against a brute-force filter of the whole listing. */

const PRODUCTS = ['Virtual Machines Dv3 Series', 'Blob Storage', "O'Brien Cache", 'SQL Database'];
const LOCATIONS = ['US East', 'US West 2', 'EU West', 'Zone 1'];
const SKUS = ['D2 v3', 'Hot LRS', 'Cool LRS', 'S0'];
const UNITS = ['1 Hour', '1 GB/Month', '10K'];
const TAGS = ['Azure;Consumption', 'ThirdParty'];

/** A deterministic sheet: every combination spread over products, titles, regions, units and tags. */
function sheet(day: number, size = 60): SheetRow[] {
  const rows: SheetRow[] = [];
  for (let i = 0; i < size; i++) {
    const product = PRODUCTS[i % PRODUCTS.length];
    const sku = SKUS[(i >> 1) % SKUS.length];
    rows.push(
      consumptionRow({
        ProductTitle: product,
        ProductId: `PROD${i % PRODUCTS.length}`,
        SkuId: String(i).padStart(4, '0'),
        SkuTitle: sku,
        SkuDescription: `${product} ${sku} - ${LOCATIONS[(i + day) % LOCATIONS.length]}`,
        UnitOfMeasure: UNITS[i % UNITS.length],
        Tags: TAGS[i % 7 === 0 ? 1 : 0],
        MeterIds: meterId(0x9000 + i),
        UnitPrice: `0.${String(100 + i + day).padStart(4, '0')}`,
      }),
    );
  }
  return rows;
}

async function allPages(storage: StorageClients, query: Omit<PriceQuery, 'top' | 'instant'>, top = 7) {
  const versions: PriceVersion[] = [];
  let cursor: PriceQuery['cursor'];
  for (;;) {
    const page = await lookupPrices(storage, { ...query, instant: '2026-11-10T00:00:00.0000000Z', top, cursor });
    versions.push(...page.versions);
    if (!page.next) return versions;
    cursor = page.next;
  }
}

const key = (v: PriceVersion) =>
  `${v.productId}|${v.skuId}|${v.meterId}|${v.termDuration}|${v.billingPlan}|${v.currency}|${v.pricingTierRangeMin}|${v.unitPrice}`;
const base = { market: 'US', view: 'azure_consumption' as const };

describe('$filter search over the index', () => {
  const { settings, storage } = testStorage();
  let everything: PriceVersion[];

  beforeAll(async () => {
    // Day 3's regions differ from day 1's: the index holds both, the answers only what is in force.
    for (const [day, asOf] of [
      [1, '2026-11-01'],
      [3, '2026-11-03'],
    ] as const)
      expect((await ingestSheet(storage, settings, sheet(day), { asOf })).outcome).toBe('succeeded');
    everything = await allPages(storage, base, 1000);
  });

  it('serves regions parsed from the titles', () => {
    const d = everything.find((v) => v.skuId === '0003'); // day 3: EU West
    expect(d).toMatchObject({ region: 'westeurope', location: 'EU West' });
    expect(everything.filter((v) => v.region === '').length).toBeGreaterThan(0); // Zone 1: no region
  });

  it('narrows through the index: region eq reads exactly the meters in that region', async () => {
    const committed = await committedRuns(storage, 'US', 'azure_consumption');
    const units = await candidateUnits({ storage, ...base, committed }, parseFilter("armRegionName eq 'EASTUS'"));
    const inEast = everything.filter((v) => v.region === 'eastus').map((v) => `m:${v.meterId}`);
    // Day 1's titles named other regions for some meters: the index keeps them (a superset)…
    expect(units).toEqual(expect.arrayContaining([...new Set(inEast)]));
    expect(units!.length).toBeLessThan(everything.length);
    // …and the search answers only what is in force.
    const found = await allPages(storage, { ...base, filter: parseFilter("armRegionName eq 'EASTUS'") });
    expect(found.map(key)).toEqual(everything.filter((v) => v.region === 'eastus').map(key));
  });

  it('equals a brute-force filter of the listing, for random filters, in the listing order', async () => {
    const text = (values: string[]) => fc.constantFrom(...values);
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const fieldValues: [string, string[]][] = [
      ['productTitle', PRODUCTS],
      ['productName', PRODUCTS.map((p) => p.toUpperCase())],
      ['skuTitle', SKUS],
      ['location', LOCATIONS],
      ['armRegionName', ['eastus', 'westus2', 'westeurope', '']],
      ['unitOfMeasure', UNITS],
      ['tags', TAGS],
      ['currency', ['USD', 'EUR']],
      ['meterId', [meterId(0x9003), meterId(0x9004)]],
    ];
    const leaf = fc.oneof(
      ...fieldValues.map(([field, values]) =>
        fc
          .tuple(fc.constantFrom('eq', 'ne', 'contains', 'startswith'), text(values), fc.nat(3))
          .map(([op, value, cut]) => {
            const part = op === 'contains' ? value.slice(cut) : op === 'startswith' ? value.slice(0, 3) : value;
            return op === 'eq' || op === 'ne' ? `${field} ${op} ${quote(part)}` : `${op}(${field}, ${quote(part)})`;
          }),
      ),
    );
    const filter: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map(([a, op, b]) => `(${a}) ${op} ${b}`),
      ),
    })).expr;
    await fc.assert(
      fc.asyncProperty(filter, fc.integer({ min: 1, max: 25 }), async (text, top) => {
        const node: FilterNode = parseFilter(text);
        const expected = everything.filter((v) => matchesFilter(v, node)).map(key);
        expect((await allPages(storage, { ...base, filter: node }, top)).map(key)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('applies $filter next to the exact parameters, through the endpoint', async () => {
    const response = await handlePrices(
      q({
        market: 'US',
        productId: 'PROD1',
        $filter: "contains(skuTitle, 'lrs') and location ne 'EU West'",
        top: '100',
      }),
      storage,
      logger(),
      'test-paging-secret-of-32-characters!',
    );
    expect(response.status).toBe(200);
    const items = json(response).items as { productId: string; skuTitle: string; location: string }[];
    const expected = everything.filter(
      (v) => v.productId === 'PROD1' && v.skuTitle.toLowerCase().includes('lrs') && v.location !== 'EU West',
    );
    expect(items.map((i) => [i.productId, i.skuTitle, i.location])).toEqual(
      expected.map((v) => [v.productId, v.skuTitle, v.location]),
    );
    expect(items.length).toBeGreaterThan(0);
  });

  it('answers 400 InvalidFilter with the position and the field as written; quotes in values stay values', async () => {
    const call = (filter: string) =>
      handlePrices(q({ market: 'US', $filter: filter }), storage, logger(), 'test-paging-secret-of-32-characters!');
    const refused = await call("productTitle eq 'x' or PartitionKey ne ''");
    expect(refused.status).toBe(400);
    expect(json(refused)).toMatchObject({
      code: 'InvalidFilter',
      parameter: '$filter',
      position: 24,
      field: 'PartitionKey',
    });
    const quoted = await call("productTitle eq 'x'' or PartitionKey ne '''");
    expect(json(quoted).items).toEqual([]);
    expect(json(await call("productTitle eq 'O''Brien Cache'")).items.length).toBe(
      everything.filter((v) => v.productTitle === "O'Brien Cache").length,
    );
  });
});

describe('the search index under backfills in any order and re-ingests', () => {
  async function dump(storage: StorageClients): Promise<Record<string, string[]>> {
    const table = storage.table(storage.names.tables.priceSearch);
    const sets: Record<string, string[]> = {};
    for await (const entity of table.listEntities<Record<string, unknown>>()) {
      const items = Object.keys(entity)
        .filter((k) => /^p\d+$/.test(k))
        .flatMap((k) => (entity[k] as string).split('\n'));
      (sets[entity.partitionKey as string] ??= []).push(...items);
    }
    for (const items of Object.values(sets)) items.sort();
    return sets;
  }
  const days = ['2026-11-01', '2026-11-02', '2026-11-03'];

  it('stores the same index, and answers the same, whatever the order', async () => {
    const inOrder = testStorage();
    const shuffled = testStorage();
    for (const [i, asOf] of days.entries())
      await ingestSheet(inOrder.storage, inOrder.settings, sheet(i, 24), { asOf });
    for (const i of [2, 0, 1, 2, 0])
      await ingestSheet(shuffled.storage, shuffled.settings, sheet(i, 24), { asOf: days[i] });
    expect(await dump(shuffled.storage)).toEqual(await dump(inOrder.storage));
    const filter = parseFilter("location eq 'US East' or startswith(productTitle, 'blob')");
    for (const asOf of days) {
      const instant = `${asOf}T12:00:00.0000000Z`;
      const page = (s: StorageClients) => lookupPrices(s, { ...base, filter, instant, top: 1000 });
      expect((await page(shuffled.storage)).versions.map(key)).toEqual((await page(inOrder.storage)).versions.map(key));
    }
  });
});

describe('prices stored before the search index existed', () => {
  it('are indexed by the next ingest of their market and view', async () => {
    const { settings, storage } = testStorage();
    await ingestSheet(storage, settings, sheet(1, 24), { asOf: '2026-11-01' });
    const index = storage.table(storage.names.tables.priceSearch);
    for await (const entity of index.listEntities()) await index.deleteEntity(entity.partitionKey!, entity.rowKey!);
    const filter = parseFilter("startswith(productTitle, 'blob')");
    const found = () => allPages(storage, { ...base, filter });
    expect(await found()).toEqual([]);
    // Day 2 lists the same prices but one: only that one differs from its base.
    const next = sheet(1, 24).map((row, i) => (i === 0 ? { ...row, UnitPrice: '9.99' } : row));
    await ingestSheet(storage, settings, next, { asOf: '2026-11-02' });
    const all = await allPages(storage, base, 1000);
    expect((await found()).map(key)).toEqual(all.filter((v) => v.productTitle === 'Blob Storage').map(key));
    expect((await found()).length).toBe(6);
  });
});

describe('the examples of docs/api.md, against the sample data', () => {
  const { settings, storage } = testStorage();
  const search = async (filter: string, view = 'azure_consumption') => {
    const response = await handlePrices(
      q({ market: 'US', view, $filter: filter, date: '2026-11-01' }),
      storage,
      logger(),
      'test-paging-secret-of-32-characters!',
    );
    return json(response);
  };

  beforeAll(async () => {
    for (const view of ['azure_consumption', 'azure_reservations'] as const) {
      const file = path.join(__dirname, '../../../../sample-data', `US_${view}.csv`);
      const run = await ingestPriceSheet(ingestRequest(storage, settings, fileDownload(file), { view }));
      expect(run.outcome).toBe('succeeded');
    }
  });

  it('searches license-based products (read by product partition) like the listing', async () => {
    const file = path.join(__dirname, '../../../../sample-data', 'US_updatedlicensebased.csv');
    const view = 'updatedlicensebased' as const;
    const run = await ingestPriceSheet(ingestRequest(storage, settings, fileDownload(file), { view }));
    expect(run.outcome).toBe('succeeded');
    const scope = { market: 'US', view };
    const all = await allPages(storage, scope, 1000);
    for (const text of ["billingPlan eq 'monthly'", "contains(productTitle, 'exchange') and termDuration ne 'P1M'"]) {
      const filter = parseFilter(text);
      const expected = all.filter((v) => matchesFilter(v, filter)).map(key);
      expect(expected.length).toBeGreaterThan(0);
      expect((await allPages(storage, { ...scope, filter }, 3)).map(key).sort()).toEqual(expected.sort());
    }
  });

  it('answers them as the documentation says', async () => {
    const vms = await search("armRegionName eq 'eastus' and contains(productName, 'Virtual Machines')");
    expect(vms.items.map((i: { skuTitle: string }) => i.skuTitle).sort()).toEqual(
      ['B2s', 'D2 v3', 'D4 v3', 'D8 v3', 'E2 v4', 'F4s v2'].sort(),
    );
    expect(vms.items[0]).toMatchObject({ region: 'eastus', location: 'US East' });
    const reserved = await search("location eq 'US West 2' and termDuration eq 'P3Y'", 'azure_reservations');
    expect(reserved.items).toHaveLength(6);
    const mixed = await search(
      "startswith(skuTitle, 'hot') or (contains(tags, 'thirdparty') and unitOfMeasure ne '1 Hour')",
    );
    expect(mixed.items.map((i: { skuTitle: string }) => i.skuTitle).sort()).toEqual(
      ['Hot LRS', 'Hot LRS', 'Hot LRS', 'Hot LRS', 'SendGrid Bronze', 'SendGrid Silver'].sort(),
    );
    expect(await search("colour eq 'red'")).toMatchObject({ code: 'InvalidFilter', position: 1, field: 'colour' });
  });
});
