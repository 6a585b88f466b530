import path from 'node:path';
import { jsonSummary, runCli } from '../../helpers/cli';
import type { Runner } from '../../../runtime/localRunner';
import { startTestRunner } from '../../helpers/runner';
import { licenseFigures } from '../../../shared/prices/licenseFigures';
import { createStorageClients } from '../../../shared/storage/clients';
import { latestSnapshot } from '../../../shared/prices/tables/snapshots';
import { marketViewRange, versionsOfEntity } from '../../../shared/prices/tables/versions';
import { asWritten, testSettings } from '../../helpers/storage';
import { odata } from '@azure/data-tables';
import type { PriceVersion } from '../../../shared/prices/version';

/** The license-based lists end to end: the bundled SAMPLE files through `npm run cli -- refresh prices`. */

const settings = testSettings({ PRICES_SOURCE: 'sample' });
const storage = createStorageClients(settings);

async function cli(args: string[]): Promise<{ code: number; summary: Record<string, unknown>; stderr: string }> {
  const run = await runCli([...args, '--json']);
  return { code: run.code, summary: jsonSummary(run.stdout), stderr: run.stderr };
}

async function versions(market: string): Promise<PriceVersion[]> {
  const range = marketViewRange(market, 'updatedlicensebased');
  const filter = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`;
  const out: PriceVersion[] = [];
  for await (const e of storage.table(storage.names.tables.prices).listEntities({ queryOptions: { filter } }))
    out.push(...versionsOfEntity(e, asWritten));
  return out;
}

describe('license-based price lists (updatedlicensebased)', () => {
  beforeAll(() => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  });

  it('stores the current US list with trial, free, P1Y, P3Y and P6Y rows as published', async () => {
    const run = await cli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'US',
      '--view',
      'updatedlicensebased',
      '--as-of',
      '2026-11-20',
    ]);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ ok: true, read: 11, rejected: 0, added: 11 });
    const stored = await versions('US');
    expect(stored).toHaveLength(11);
    const trial = stored.find((v) => v.skuId === '0002' && v.productId === 'CFQ7TTC0LH18');
    expect(trial).toMatchObject({ billingPlan: 'None', tags: 'License; Trial', unitPrice: '0', termDuration: 'P1M' });
    expect(licenseFigures(trial as PriceVersion)).toEqual({
      monthlyUnitPrice: '0',
      marginAmount: null,
      marginPercent: null,
    });
    const sales = stored.filter((v) => v.productId === 'CFQ7TTC0LFK5');
    expect(sales.map((v) => v.billingPlan).sort()).toEqual(['Annual', 'Monthly']);
    expect(sales.map((v) => licenseFigures(v))).toEqual([
      { monthlyUnitPrice: '93', marginAmount: '432', marginPercent: '11.43' },
      { monthlyUnitPrice: '93', marginAmount: '432', marginPercent: '11.43' },
    ]);
    const a1 = stored.find((v) => v.termDuration === 'P6Y') as PriceVersion;
    expect(licenseFigures(a1)?.monthlyUnitPrice).toBe('3.6');
    const dates = stored.find((v) => v.productId === 'CFQ7TTC0LH33') as PriceVersion;
    expect(dates).toMatchObject({
      effectiveStartDate: '2023-02-01T00:00:00.0000000Z',
      effectiveEndDate: '9999-11-30T23:59:00.0000000Z',
      unitPrice: '0',
    });
  });

  it('stores the six European currencies of the DE list as distinct prices', async () => {
    const run = await cli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'DE',
      '--view',
      'updatedlicensebased',
      '--as-of',
      '2026-11-20',
    ]);
    expect(run.summary).toMatchObject({ ok: true, read: 66, rejected: 0, added: 66 });
    const stored = await versions('DE');
    expect(stored).toHaveLength(66);
    const basicAnnual = stored.filter(
      (v) => v.productId === 'CFQ7TTC0LH18' && v.termDuration === 'P1Y' && v.billingPlan === 'Annual',
    );
    expect(basicAnnual.map((v) => v.currency).sort()).toEqual(['CHF', 'DKK', 'EUR', 'GBP', 'NOK', 'SEK']);
    expect(basicAnnual.find((v) => v.currency === 'EUR')).toMatchObject({ unitPrice: '55.2', erpPrice: '66.24' });
  });

  it('stores the future list as a snapshot of its own, without marking prices it leaves out as removed', async () => {
    const run = await cli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'US',
      '--view',
      'updatedlicensebased',
      '--timeline',
      'future',
      '--as-of',
      '2026-11-20',
    ]);
    // Diffed against the previous future list (none yet), never against the current one.
    expect(run.summary).toMatchObject({ ok: true, read: 14, rejected: 0, added: 14 });
    const current = await latestSnapshot(storage, { market: 'US', view: 'updatedlicensebased', timeline: 'current' });
    const future = await latestSnapshot(storage, { market: 'US', view: 'updatedlicensebased', timeline: 'future' });
    expect(current).toMatchObject({ rows: 11, asOf: '2026-11-20' });
    expect(future).toMatchObject({ rows: 14, asOf: '2026-11-20' });
    expect(future?.manifest).not.toBe(current?.manifest);

    // A later preview that no longer lists a price leaves the current list's entity alone.
    const later = await cli([
      'ingest',
      path.join(__dirname, '..', '..', 'fixtures', 'US_future_short.csv'),
      '--view',
      'updatedlicensebased',
      '--timeline',
      'future',
      '--as-of',
      '2026-11-25',
    ]);
    expect(later.summary).toMatchObject({ ok: true, removed: 13 });
    expect((await versions('US')).filter((v) => v.listing.some(([, listed]) => !listed))).toEqual([]);
  });

  it('reports "no planned changes" for a market without a future list (Partner Center answers 404) as a success', async () => {
    const run = await cli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'DE',
      '--view',
      'updatedlicensebased',
      '--timeline',
      'future',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/no planned price changes/);
  });

  describe('served by the HTTP API', () => {
    let runner: Runner;
    beforeAll(async () => {
      runner = await startTestRunner({
        settings,
        storage,
      });
    });
    afterAll(() => runner.close());

    it('GET /api/prices?view=updatedlicensebased adds the monthly equivalent and the margin', async () => {
      const response = await fetch(
        `${runner.url}/api/prices?market=US&view=updatedlicensebased&productId=CFQ7TTC0LH18&date=2026-11-21`,
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Record<string, unknown>[] };
      const annual = body.items.find((i) => i.termDuration === 'P1Y' && i.billingPlan === 'Annual');
      expect(annual).toMatchObject({
        unitPrice: 60,
        erpPrice: 72,
        monthlyUnitPrice: 5,
        marginAmount: 12,
        marginPercent: 16.67,
      });
      expect(body.items.find((i) => i.billingPlan === 'None')).toMatchObject({
        unitPrice: 0,
        monthlyUnitPrice: 0,
        marginAmount: null,
      });
    });

    it('GET /api/prices/changes compares the current list with the future one', async () => {
      const response = await fetch(
        `${runner.url}/api/prices/changes?market=US&view=updatedlicensebased&from=2026-11-21&to=future`,
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        added: { productId: string }[];
        changed: { after: { unitPrice: number } }[];
        removed: { productId: string }[];
      };
      expect(body.added.map((i) => i.productId)).toEqual(['CFQ7TTC0MM8R']);
      expect(body.changed.map((c) => c.after.unitPrice)).toEqual([66, 66]);
      expect(body.removed.map((i) => i.productId)).toEqual(['CFQ7TTC0LH16']);
    });
  });
});
