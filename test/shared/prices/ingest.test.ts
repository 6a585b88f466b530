import { odata, type TableClient } from '@azure/data-tables';
import { ingestPriceSheet, type IngestRequest } from '../../../shared/prices/ingest';
import { versionsByMeter, versionsOfEntity } from '../../../shared/prices/tables/versions';
import { versionInForce } from '../../../shared/prices/version';
import {
  latestSnapshot,
  manifestName,
  readManifest,
  snapshotOnOrBefore,
} from '../../../shared/prices/tables/snapshots';
import { readCommittedRuns } from '../../../shared/prices/tables/committedRuns';
import { recentRuns } from '../../../shared/runs/ledger';
import { metersOfProduct } from '../../../shared/prices/tables/productIndex';
import type { StorageClients } from '../../../shared/storage/clients';
import type { Settings } from '../../../shared/config/settings';
import { asWritten, delayedUploads, testStorage } from '../../helpers/storage';
import { consumptionRow, downloadOf, ingestRequest, meterId, sheetCsv, type SheetRow } from '../../helpers/priceSheets';
import * as transactions from '../../../shared/storage/transactions';

async function allEntities(table: TableClient): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of table.listEntities()) out.push(e);
  return out;
}

async function allVersions(table: TableClient) {
  return (await allEntities(table)).flatMap((entity) => versionsOfEntity(entity, asWritten));
}

function ingest(storage: StorageClients, settings: Settings, csv: string | Buffer, extra: Partial<IngestRequest> = {}) {
  return ingestPriceSheet(ingestRequest(storage, settings, downloadOf(csv), extra));
}

describe('price ingest pipeline', () => {
  const rows: SheetRow[] = Array.from({ length: 250 }, (_, i) =>
    consumptionRow({
      ProductId: `PROD${i % 7}`,
      SkuId: `S${i % 3}`,
      UnitPrice: `0.${String(1000 + i)}4567`,
      MeterIds: meterId(5000 + i),
    }),
  );

  it('stores a cold sheet, then re-ingesting it writes nothing', async () => {
    const { settings, storage } = testStorage();
    const first = await ingest(storage, settings, sheetCsv(rows));
    expect(first.outcome).toBe('succeeded');
    expect(first.counts).toMatchObject({ read: 250, rejected: 0, added: 250, changed: 0, removed: 0, unchanged: 0 });
    const prices = await allVersions(storage.table(storage.names.tables.prices));
    expect(prices).toHaveLength(250);
    // Prices are kept exactly as published.
    expect(prices.map((price) => price.unitPrice).sort()).toEqual(rows.map((row) => row.UnitPrice).sort());

    const again = await ingest(storage, settings, sheetCsv(rows));
    expect(again.outcome).toBe('succeeded');
    expect(again.counts).toMatchObject({
      read: 250,
      added: 0,
      changed: 0,
      removed: 0,
      unchanged: 250,
      entitiesWritten: 0,
    });

    const snapshot = await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' });
    expect(snapshot).toMatchObject({ asOf: '2026-11-01', rows: 250, source: 'test' });
    const runs = await recentRuns(storage, 10);
    expect(runs.map((run) => run.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(runs[1].archive).toMatch(/^azure_consumption\/US\/2026-11-01\/[0-9a-f]{64}\.csv$/);
  });

  it('writes only what changed and marks removed versions', async () => {
    const { settings, storage } = testStorage();
    await ingest(storage, settings, sheetCsv(rows));
    const next = rows.slice(1).map((row, i) => (i === 0 ? { ...row, UnitPrice: '9.99' } : row));
    next.push(consumptionRow({ MeterIds: meterId(9999), UnitPrice: '1' }));
    const result = await ingest(storage, settings, sheetCsv(next), { asOf: '2026-11-02' });
    expect(result.counts).toMatchObject({ read: 250, added: 1, changed: 1, removed: 1, unchanged: 248 });
    // 1 added + 1 changed + 1 removal mark, plus the product index entry of the new meter's SKU and
    // the new meter in the 9 search-index terms of its values (values the index knows already).
    expect(result.counts.entitiesWritten).toBe(13);
    const removed = await versionsByMeter(
      storage.table(storage.names.tables.prices),
      { market: 'US', view: 'azure_consumption', meterId: rows[0].MeterIds as string },
      await readCommittedRuns(storage, 'US', 'azure_consumption'),
    );
    expect(removed).toHaveLength(1);
    expect(removed[0].listing).toEqual([
      ['2026-11-01', true],
      ['2026-11-02', false],
    ]);
    expect(versionInForce(removed, '2026-11-01T12:00:00.0000000Z')).not.toBeNull();
    expect(versionInForce(removed, '2026-11-02T12:00:00.0000000Z')).toBeNull();
  });

  it('a backfill diffs against the latest snapshot on or before its day', async () => {
    const { settings, storage } = testStorage();
    await ingest(storage, settings, sheetCsv(rows), { asOf: '2026-11-10' });
    const older = rows.map((row, i) => (i < 5 ? { ...row, UnitPrice: '2.5' } : row));
    const backfill = await ingest(storage, settings, sheetCsv(older), { asOf: '2026-11-05' });
    // Nothing on or before 5 Nov: everything is new relative to that day.
    expect(backfill.counts).toMatchObject({ added: 250, changed: 0, removed: 0 });
    const between = await ingest(storage, settings, sheetCsv(rows), { asOf: '2026-11-07' });
    expect(between.counts).toMatchObject({ added: 0, changed: 5, unchanged: 245 });
    expect(
      (
        await snapshotOnOrBefore(storage, {
          market: 'US',
          view: 'azure_consumption',
          timeline: 'current',
          asOf: '2026-11-06',
        })
      )?.asOf,
    ).toBe('2026-11-05');
  });

  it('fails without publishing when too many rows are rejected, keeping the raw file and a report', async () => {
    const { settings, storage } = testStorage();
    const bad = [...rows.slice(0, 95), ...Array.from({ length: 5 }, () => consumptionRow({ UnitPrice: 'abc' }))];
    const result = await ingest(storage, settings, sheetCsv(bad));
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/5 of 100 rows rejected/);
    expect(await allEntities(storage.table(storage.names.tables.prices))).toHaveLength(0);
    expect(await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' })).toBeNull();
    expect(result.archive).not.toBeNull();
    const archived = storage.blobs
      .getContainerClient(storage.names.containers.archive)
      .getBlobClient(result.archive as string);
    expect(await archived.exists()).toBe(true);
    const report = (
      await storage.blobs
        .getContainerClient(storage.names.containers.reports)
        .getBlobClient(result.rejectedReport as string)
        .downloadToBuffer()
    ).toString();
    expect(report).toContain('line,reason');
    expect(report).toMatch(/^97,"UnitPrice is not a decimal number"$/m);
  });

  it('publishes a sheet with few rejected rows and reports them with line numbers', async () => {
    const { settings, storage } = testStorage({ REJECTED_ROWS_MAX_PERCENT: '5' });
    const withBad = [...rows.slice(0, 50), consumptionRow({ EffectiveStartDate: 'someday' }), ...rows.slice(50, 60)];
    const result = await ingest(storage, settings, sheetCsv(withBad));
    expect(result.outcome).toBe('succeeded');
    expect(result.counts).toMatchObject({ read: 61, rejected: 1, added: 60 });
    const report = (
      await storage.blobs
        .getContainerClient(storage.names.containers.reports)
        .getBlobClient(result.rejectedReport as string)
        .downloadToBuffer()
    ).toString();
    expect(report).toContain('52,"EffectiveStartDate ""someday"" is not a date"');
  });

  it('rejects a duplicate version and a row of another market', async () => {
    const { settings, storage } = testStorage({ REJECTED_ROWS_MAX_PERCENT: '10' });
    const dup = [...rows.slice(0, 40), rows[3], consumptionRow({ Market: 'DE' })];
    const result = await ingest(storage, settings, sheetCsv(dup));
    expect(result.counts).toMatchObject({ read: 42, rejected: 2, added: 40 });
  });

  it('fails on a structurally broken file and keeps it archived', async () => {
    const { settings, storage } = testStorage();
    const result = await ingest(storage, settings, 'this is not, a price sheet\n1,2\n');
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/header lacks productId/);
    expect(result.archive).not.toBeNull();
    expect(await allEntities(storage.table(storage.names.tables.prices))).toHaveLength(0);
  });

  it('records a failed download as a failed run naming market and view', async () => {
    const { settings, storage } = testStorage();
    const result = await ingest(storage, settings, '', {
      open: async () => {
        throw new Error('US/azure_consumption: upstream answered 503 after 5 retries');
      },
    });
    expect(result.outcome).toBe('failed');
    const [run] = await recentRuns(storage, 1);
    expect(run).toMatchObject({ outcome: 'failed', market: 'US', view: 'azure_consumption' });
    expect(run.error).toContain('503');
  });

  it('applies the pricing guide overlap rule to stored versions', async () => {
    const { settings, storage } = testStorage();
    const meter = meterId(424242);
    const overlap = [
      consumptionRow({
        ProductId: 'CFQ7TTC0HD7P',
        MeterIds: meter,
        UnitPrice: '10',
        EffectiveStartDate: '2021-10-01T00:00:00.0000000Z',
        EffectiveEndDate: '2021-11-03T06:57:30.0682597Z',
      }),
      consumptionRow({
        ProductId: 'CFQ7TTC0HD7P',
        MeterIds: meter,
        UnitPrice: '12',
        EffectiveStartDate: '2021-11-01T00:00:00.0000000Z',
        EffectiveEndDate: '9999-11-30T23:59:59.0000000Z',
      }),
    ];
    await ingest(storage, settings, sheetCsv(overlap));
    const versions = await versionsByMeter(
      storage.table(storage.names.tables.prices),
      { market: 'US', view: 'azure_consumption', meterId: meter.toUpperCase() },
      await readCommittedRuns(storage, 'US', 'azure_consumption'),
    );
    expect(versions).toHaveLength(2);
    expect(versionInForce(versions, '2021-11-02T00:00:00.0000000Z')?.unitPrice).toBe('10');
    expect(versionInForce(versions, '2021-11-03T06:57:30.0682597Z')?.unitPrice).toBe('10');
    expect(versionInForce(versions, '2021-11-03T06:57:30.0682598Z')?.unitPrice).toBe('12');
    expect(versionInForce(versions, '2021-11-04T00:00:00.0000000Z')?.unitPrice).toBe('12');
    expect(versionInForce(versions, '2021-09-30T23:59:59.9999999Z')).toBeNull();
    const index = await metersOfProduct(storage.table(storage.names.tables.priceProducts), {
      market: 'US',
      view: 'azure_consumption',
      productId: 'CFQ7TTC0HD7P',
    });
    expect(index).toEqual([{ skuId: '00JX', meterId: meter }]);
  });

  it('keeps two concurrent refreshes of one market and view apart', async () => {
    const { settings, storage } = testStorage();
    const [first, second] = await Promise.all([
      ingest(storage, settings, sheetCsv(rows)),
      ingest(storage, settings, sheetCsv(rows)),
    ]);
    expect([first.outcome, second.outcome]).toEqual(['succeeded', 'succeeded']);
    // One of them stored the sheet, the other found it already there.
    expect([first.counts.added, second.counts.added].sort()).toEqual([0, 250]);
    expect(await allEntities(storage.table(storage.names.tables.prices))).toHaveLength(250);
  });

  it('converges when a run dies half-way and is run again', async () => {
    const { settings, storage } = testStorage({ TABLE_WRITE_CONCURRENCY: '1' });
    // The prices table's transactions start failing after two, as if the process died.
    let count = 0;
    const submit = transactions.submitUpserts;
    const dying = jest.spyOn(transactions, 'submitUpserts').mockImplementation(async (table, entities) => {
      if (table.tableName === storage.names.tables.prices && ++count > 2) throw new Error('process killed');
      return submit(table, entities);
    });
    let killed;
    try {
      killed = await ingest(storage, settings, sheetCsv(rows));
    } finally {
      dying.mockRestore();
    }
    expect(killed.outcome).toBe('failed');
    const partial = await allEntities(storage.table(storage.names.tables.prices));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(250);
    expect(await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' })).toBeNull();

    const rerun = await ingest(storage, settings, sheetCsv(rows));
    expect(rerun.outcome).toBe('succeeded');
    const all = await allEntities(storage.table(storage.names.tables.prices));
    expect(all).toHaveLength(250);
    expect((await ingest(storage, settings, sheetCsv(rows))).counts.entitiesWritten).toBe(0);
  });

  it('stores the same instants whatever the machine time zone', async () => {
    const original = process.env.TZ;
    try {
      const results: unknown[] = [];
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles']) {
        process.env.TZ = tz;
        const { settings, storage } = testStorage();
        await ingest(storage, settings, sheetCsv(rows.slice(0, 3)));
        const table = storage.table(storage.names.tables.prices);
        const found: unknown[] = [];
        for await (const entity of table.listEntities({ queryOptions: { filter: odata`PartitionKey ne ''` } })) {
          for (const version of versionsOfEntity(entity, asWritten))
            found.push([version.effectiveStartDate, version.effectiveEndDate]);
        }
        results.push(found);
      }
      expect(results[0]).toEqual(results[1]);
      expect((results[0] as string[][])[0]).toEqual(['2018-03-01T00:00:00.0000000Z', '9999-11-30T23:59:59.0000000Z']);
    } finally {
      process.env.TZ = original;
    }
  });
});

describe('price ingest: the uploads that overlap other steps', () => {
  const rows: SheetRow[] = Array.from({ length: 250 }, (_, i) =>
    consumptionRow({ UnitPrice: `0.${String(2000 + i)}`, MeterIds: meterId(15_000 + i) }),
  );
  const noValidRows = sheetCsv(Array.from({ length: 20 }, () => consumptionRow({ UnitPrice: 'abc' })));
  const snapshotOf = (storage: StorageClients, asOf = '2026-11-01') =>
    snapshotOnOrBefore(storage, { market: 'US', view: 'azure_consumption', timeline: 'current', asOf });
  const archiveExists = (storage: StorageClients, name: string) =>
    storage.blobs.getContainerClient(storage.names.containers.archive).getBlobClient(name).exists();
  const manifestExists = (storage: StorageClients, name: string) =>
    storage.blobs.getContainerClient(storage.names.containers.snapshots).getBlobClient(name).exists();
  async function manifestLines(storage: StorageClients, name: string): Promise<string[]> {
    const lines: string[] = [];
    for await (const line of readManifest(storage, name)) lines.push(`${line.partitionKey}\t${line.rowKey}`);
    return lines;
  }

  it('a refused sheet still has its archive when the run ends, and the ledger run names it', async () => {
    const { settings, storage } = testStorage();
    // The archive upload outlasts the read, which refuses the file at once.
    const slow = delayedUploads(storage, storage.names.containers.archive, { afterMs: 400 });
    const result = await ingest(slow, settings, noValidRows);
    expect(result).toMatchObject({ outcome: 'failed', fileFault: true });
    expect(result.error).toMatch(/^no valid price rows \(20 read, 20 rejected\)/);
    expect(result.archive).toMatch(/^azure_consumption\/US\/2026-11-01\/[0-9a-f]{64}\.csv$/);
    expect(await archiveExists(storage, result.archive as string)).toBe(true);
    const [run] = await recentRuns(storage, 1);
    expect(run).toMatchObject({ runId: result.runId, outcome: 'failed', archive: result.archive });
    expect(await snapshotOf(storage)).toBeNull();
  });

  it('a storage failure of the archive fails the run of a good sheet, before anything is written', async () => {
    const { settings, storage } = testStorage();
    const failing = delayedUploads(storage, storage.names.containers.archive, { afterMs: 200, fail: true });
    const result = await ingest(failing, settings, sheetCsv(rows));
    expect(failing.uploads()).toBe(1);
    expect(result).toMatchObject({ outcome: 'failed', error: 'service unavailable', archive: null });
    expect(result.fileFault).toBeUndefined();
    // The sheet was read meanwhile, and nothing of it written.
    expect(result.counts).toMatchObject({ read: 250, added: 250, entitiesWritten: 0 });
    expect(await allEntities(storage.table(storage.names.tables.prices))).toHaveLength(0);
    expect(await snapshotOf(storage)).toBeNull();
    const [run] = await recentRuns(storage, 1);
    expect(run).toMatchObject({ outcome: 'failed', error: 'service unavailable', archive: null });

    expect(await ingest(storage, settings, sheetCsv(rows))).toMatchObject({ outcome: 'succeeded' });
  });

  it("a refused sheet whose archive fails too fails as the archive did: not the file's fault, to be retried", async () => {
    const { settings, storage } = testStorage();
    const failing = delayedUploads(storage, storage.names.containers.archive, { afterMs: 200, fail: true });
    const result = await ingest(failing, settings, noValidRows);
    expect(result).toMatchObject({ outcome: 'failed', error: 'service unavailable', archive: null });
    expect(result.fileFault).toBeUndefined();
    // Tried again with the storage back, the file is archived and refused.
    const again = await ingest(storage, settings, noValidRows);
    expect(again).toMatchObject({ outcome: 'failed', fileFault: true, archive: expect.any(String) });
    expect(await archiveExists(storage, again.archive as string)).toBe(true);
  });

  it("commits a complete, readable manifest of its own, or the base snapshot's for the same listing", async () => {
    const { settings, storage } = testStorage();
    const cold = await ingest(storage, settings, sheetCsv(rows));
    const first = await snapshotOf(storage);
    expect(first?.manifest).toBe(manifestName('US', 'azure_consumption', 'current', '2026-11-01', cold.runId));
    const listed = await manifestLines(storage, first?.manifest as string);
    expect(listed).toHaveLength(250);
    expect(new Set(listed).size).toBe(250);

    // A changed price: a manifest of its own, listing the new version in place of the old.
    const next = rows.map((row, i) =>
      i === 0 ? { ...row, UnitPrice: '9.99', EffectiveStartDate: '11/2/2026 12:00:00 AM' } : row,
    );
    const changed = await ingest(storage, settings, sheetCsv(next), { asOf: '2026-11-02' });
    expect(changed.counts).toMatchObject({ added: 1, removed: 1 });
    const second = await snapshotOf(storage, '2026-11-02');
    expect(second?.manifest).toBe(manifestName('US', 'azure_consumption', 'current', '2026-11-02', changed.runId));
    const relisted = await manifestLines(storage, second?.manifest as string);
    expect(relisted).toHaveLength(250);
    expect(relisted.filter((line) => !listed.includes(line))).toHaveLength(1);

    // The same listing a day later: the snapshot shares the manifest, and no manifest is uploaded.
    const counting = delayedUploads(storage, storage.names.containers.snapshots);
    const same = await ingest(counting, settings, sheetCsv(next), { asOf: '2026-11-03' });
    expect(same.outcome).toBe('succeeded');
    expect(counting.uploads()).toBe(0);
    expect((await snapshotOf(storage, '2026-11-03'))?.manifest).toBe(second?.manifest);
  });

  it('a failed manifest upload fails the run and commits nothing; the run again commits', async () => {
    const { settings, storage } = testStorage();
    const failing = delayedUploads(storage, storage.names.containers.snapshots, { afterMs: 100, fail: true });
    const result = await ingest(failing, settings, sheetCsv(rows));
    expect(failing.uploads()).toBe(1);
    expect(result).toMatchObject({ outcome: 'failed', error: 'service unavailable' });
    expect(result.archive).not.toBeNull();
    expect(await snapshotOf(storage)).toBeNull();
    expect(await ingest(storage, settings, sheetCsv(rows))).toMatchObject({ outcome: 'succeeded' });
    expect((await snapshotOf(storage))?.rows).toBe(250);
  });

  it('failed writes fail the run as they did, once the manifest uploading meanwhile has settled', async () => {
    const { settings, storage } = testStorage();
    // The writes fail at once; the manifest upload is still under way then.
    const slowManifest = delayedUploads(storage, storage.names.containers.snapshots, { afterMs: 400 });
    const submit = transactions.submitUpserts;
    const dyingWrites = jest.spyOn(transactions, 'submitUpserts').mockImplementation(async (table, entities) => {
      if (table.tableName === storage.names.tables.prices) throw new Error('process killed');
      return submit(table, entities);
    });
    try {
      const dying: StorageClients = slowManifest;
      const result = await ingest(dying, settings, sheetCsv(rows));
      expect(result).toMatchObject({ outcome: 'failed', error: 'process killed' });
      expect(slowManifest.uploads()).toBe(1);
      // Settled before the run ended: the manifest is there (named by no snapshot).
      const name = manifestName('US', 'azure_consumption', 'current', '2026-11-01', result.runId);
      expect(await manifestExists(storage, name)).toBe(true);
      expect(await snapshotOf(storage)).toBeNull();

      // Both failing: the writes' failure, the earlier step's, is the run's.
      const bothFail: StorageClients = {
        ...dying,
        blobs: delayedUploads(storage, storage.names.containers.snapshots, { fail: true }).blobs,
      };
      const both = await ingest(bothFail, settings, sheetCsv(rows));
      expect(both).toMatchObject({ outcome: 'failed', error: 'process killed' });
    } finally {
      dyingWrites.mockRestore();
    }
  });
});
