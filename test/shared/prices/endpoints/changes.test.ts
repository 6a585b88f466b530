import { handlePriceChanges } from '../../../../shared/prices/endpoints/changes';
import { testStorage } from '../../../helpers/storage';
import { consumptionRow, meterId } from '../../../helpers/priceSheets';
import { priceChangesResponseSchema } from '../../../../shared/api/schemas';
import { ingestSheet, json, LICENSE_HEADER, licenseRow, logger, q } from '../../../helpers/apiFixtures';

/** The key the endpoints sign continuation tokens with in these tests. */
const PAGING_SECRET = 'test-paging-secret-of-32-characters!';

describe('GET /api/prices/changes between two dates', () => {
  const { settings, storage } = testStorage();
  const changes = (params: Record<string, string>) =>
    handlePriceChanges(q({ market: 'US', ...params }), storage, logger(), PAGING_SECRET);
  const meterNo = (n: number) => meterId(0x9000 + n);
  const day1 = Array.from({ length: 12 }, (_, i) =>
    consumptionRow({ ProductId: 'CHANGES00001', MeterIds: meterNo(i), UnitPrice: `0.${i + 1}00` }),
  );

  beforeAll(async () => {
    await ingestSheet(storage, settings, day1, { asOf: '2026-11-01' });
    const day2 = [
      ...day1.slice(3),
      // A new version from 2 Nov: the price in force changes.
      consumptionRow({ ...day1[0], UnitPrice: '0.150', EffectiveStartDate: '2026-11-02T00:00:00.0000000Z' }),
      day1[0],
      // Rewritten in place: same version, another price.
      { ...day1[1], UnitPrice: '0.250' },
      // Rewritten in place with only another description: the old content is gone, so it cannot be told
      // from a price change.
      { ...day1[2], SkuDescription: 'renamed' },
      consumptionRow({ ProductId: 'CHANGES00001', MeterIds: meterNo(100), UnitPrice: '9.000000' }),
      consumptionRow({ ProductId: 'CHANGES00001', MeterIds: meterNo(101), UnitPrice: '9.5' }),
    ].filter((row) => row.MeterIds !== meterNo(5));
    await ingestSheet(storage, settings, day2, { asOf: '2026-11-02' });
  });

  it('lists added, changed (price in force) and removed prices', async () => {
    const response = await changes({ from: '2026-11-01', to: '2026-11-02' });
    expect(response.status).toBe(200);
    const body = json(response);
    expect(body).toMatchObject({
      market: 'US',
      view: 'azure_consumption',
      from: '2026-11-01',
      to: '2026-11-02',
      snapshots: { from: '2026-11-01', to: '2026-11-02' },
      continuationToken: null,
    });
    expect(body.added.map((item: { meterId: string }) => item.meterId).sort()).toEqual([meterNo(100), meterNo(101)]);
    expect(response.body).toContain('"unitPrice":9.000000');
    expect(body.removed.map((item: { meterId: string }) => item.meterId)).toEqual([meterNo(5)]);
    const changed = Object.fromEntries(body.changed.map((change: any) => [change.after.meterId, change]));
    expect(Object.keys(changed).sort()).toEqual([meterNo(0), meterNo(1), meterNo(2)].sort());
    expect(changed[meterNo(0)].before).toMatchObject({
      unitPrice: 0.1,
      effectiveStartDate: '2018-03-01T00:00:00.0000000Z',
    });
    expect(changed[meterNo(0)].after).toMatchObject({
      unitPrice: 0.15,
      effectiveStartDate: '2026-11-02T00:00:00.0000000Z',
    });
    expect(changed[meterNo(1)]).toMatchObject({ before: null, after: { unitPrice: 0.25 } });
    expect(changed[meterNo(2)]).toMatchObject({ before: null, after: { unitPrice: 0.3, skuDescription: 'renamed' } });
    expect(body.counts).toEqual({
      added: 2,
      removed: 1,
      unchanged: 8,
      candidates: 3,
      ...{ ADD: 2, CHG: 3, DEL: 1, UNC: 8 },
    });
  });

  it("labels each change with Partner Center's code, as the documented schema has it", async () => {
    const body = json(await changes({ from: '2026-11-01', to: '2026-11-02' }));
    expect(priceChangesResponseSchema.safeParse(body).error).toBeUndefined();
    expect(body.added.map((item: { code: string }) => item.code)).toEqual(['ADD', 'ADD']);
    expect(body.changed.map((change: { code: string }) => change.code)).toEqual(['CHG', 'CHG', 'CHG']);
    expect(body.removed.map((item: { code: string }) => item.code)).toEqual(['DEL']);
  });

  it('pages every list with top and a continuation token', async () => {
    const seen = { added: 0, changed: 0, removed: 0 };
    let token: string | null = null;
    let pages = 0;
    do {
      const body: any = json(
        await changes({
          from: '2026-11-01',
          to: '2026-11-02',
          top: '1',
          ...(token ? { continuationToken: token } : {}),
        }),
      );
      for (const list of ['added', 'changed', 'removed'] as const) {
        expect(body[list].length).toBeLessThanOrEqual(1);
        seen[list] += body[list].length;
      }
      token = body.continuationToken;
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual({ added: 2, changed: 3, removed: 1 });
    expect(pages).toBe(3);
  });

  it('refuses a token signed with another key, or used with another query (top included)', async () => {
    const query = { from: '2026-11-01', to: '2026-11-02', top: '1' };
    const token: string = json(await changes(query)).continuationToken;
    const foreign: string = json(
      await handlePriceChanges(q({ market: 'US', ...query }), storage, logger(), 'another-secret-of-at-least-32-chars'),
    ).continuationToken;
    for (const params of [
      { ...query, continuationToken: foreign },
      { ...query, top: '2', continuationToken: token },
      { ...query, to: '2026-11-05', continuationToken: token },
      { ...query, market: 'DE', continuationToken: token },
    ]) {
      const response = await changes(params);
      expect(response.status).toBe(400);
      expect(json(response)).toMatchObject({ code: 'InvalidContinuationToken', parameter: 'continuationToken' });
    }
    expect((await changes({ ...query, continuationToken: token })).status).toBe(200);
  });

  it('compares a day with itself as no change, and refuses what it cannot answer', async () => {
    expect(json(await changes({ from: '2026-11-05', to: '2026-11-02' }))).toMatchObject({
      added: [],
      changed: [],
      removed: [],
      counts: { unchanged: 13 },
    });
    const none = await changes({ from: '2026-10-01', to: '2026-11-02' });
    expect(none.status).toBe(404);
    expect(json(none)).toMatchObject({ code: 'SnapshotNotFound', parameter: 'from' });
    for (const [params, parameter] of [
      [{ to: '2026-11-02' }, 'from'],
      [{ from: '2026-11-01' }, 'to'],
      [{ from: 'monday', to: '2026-11-02' }, 'from'],
      [{ from: '2026-11-01', to: "' or PartitionKey ne '" }, 'to'],
      [{ from: "' or PartitionKey ne '", to: '2026-11-02' }, 'from'],
      [{ from: '2026-11-01', to: '2026-11-02', view: "' or PartitionKey ne '" }, 'view'],
      [{ from: '2026-11-01', to: '2026-11-02', market: "' or PartitionKey ne '" }, 'market'],
      [{ from: '2026-11-01', to: '2026-11-02', top: '0' }, 'top'],
      [{ from: '2026-11-01', to: '2026-11-02', continuationToken: 'abc.def' }, 'continuationToken'],
    ] as const) {
      const response = await changes(params);
      expect(response.status).toBe(400);
      expect(json(response).parameter).toBe(parameter);
    }
  });
});

describe('GET /api/prices/changes?to=future (license-based current vs future price list)', () => {
  const { settings, storage } = testStorage();
  const view = 'updatedlicensebased';
  const current = [
    licenseRow({ SkuId: '0001', UnitPrice: '100' }),
    licenseRow({ SkuId: '0002', UnitPrice: '200' }),
    licenseRow({ SkuId: '0003', UnitPrice: '300' }),
    licenseRow({ SkuId: '0004', UnitPrice: '400' }),
  ];
  const futureList = [
    // Change: a new price from 1 Dec.
    licenseRow({ SkuId: '0001', UnitPrice: '110', EffectiveStartDate: '2026-12-01T00:00:00.0000000Z' }),
    // Delete: availability ends.
    licenseRow({ SkuId: '0002', UnitPrice: '200', EffectiveEndDate: '2026-12-31T23:59:59.0000000Z' }),
    // New.
    licenseRow({ SkuId: '0009', UnitPrice: '900', EffectiveStartDate: '2026-12-01T00:00:00.0000000Z' }),
    // Listed the same: unchanged.
    licenseRow({ SkuId: '0004', UnitPrice: '400' }),
  ];

  beforeAll(async () => {
    await ingestSheet(storage, settings, current, { market: 'DE', view, asOf: '2026-11-20', header: LICENSE_HEADER });
    await ingestSheet(storage, settings, futureList, {
      market: 'DE',
      view,
      asOf: '2026-11-20',
      timeline: 'future',
      header: LICENSE_HEADER,
    });
  });

  it("reports the pricing guide's change types", async () => {
    const response = await handlePriceChanges(
      q({ market: 'DE', view, from: '2026-11-20', to: 'future' }),
      storage,
      logger(),
      PAGING_SECRET,
    );
    const body = json(response);
    expect(body.to).toBe('future');
    expect(body.added.map((item: { skuId: string }) => item.skuId)).toEqual(['0009']);
    expect(body.changed).toHaveLength(1);
    expect(body.changed[0]).toMatchObject({
      before: { skuId: '0001', unitPrice: 100 },
      after: { skuId: '0001', unitPrice: 110, effectiveStartDate: '2026-12-01T00:00:00.0000000Z' },
    });
    expect(body.removed).toEqual([
      expect.objectContaining({ skuId: '0002', effectiveEndDate: '2026-12-31T23:59:59.0000000Z' }),
    ]);
    expect(body.changed[0].after).toHaveProperty('monthlyUnitPrice');
    // 0003 is not in the future list, 0004 is listed the same.
    expect(body.counts).toEqual({
      added: 1,
      removed: 1,
      unchanged: 2,
      candidates: 1,
      ...{ ADD: 1, CHG: 1, DEL: 1, UNC: 2 },
    });
    expect(priceChangesResponseSchema.safeParse(body).error).toBeUndefined();
    expect(body.added[0].code).toBe('ADD');
    expect(body.changed[0].code).toBe('CHG');
    expect(body.removed[0].code).toBe('DEL');
  });

  it('404 without a future price list', async () => {
    const response = await handlePriceChanges(
      q({ market: 'DE', view, from: '2026-11-19', to: 'future' }),
      storage,
      logger(),
      PAGING_SECRET,
    );
    expect(response.status).toBe(404);
    expect(json(response)).toMatchObject({ code: 'SnapshotNotFound' });
  });
});
