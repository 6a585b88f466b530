import { ingestPriceSheet, type IngestRequest } from '../../../shared/prices/ingest';
import { lookupPrices } from '../../../shared/prices/lookup';
import { recentRuns } from '../../../shared/runs/ledger';
import type { StorageClients } from '../../../shared/storage/clients';
import type { Settings } from '../../../shared/config/settings';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, downloadOf, ingestRequest, meterId, sheetCsv, type SheetRow } from '../../helpers/priceSheets';

/** Effective-dated history across snapshots ingested in any order: the defects of issue 11. */

function ingest(storage: StorageClients, settings: Settings, rows: SheetRow[], extra: Partial<IngestRequest>) {
  return ingestPriceSheet(ingestRequest(storage, settings, downloadOf(sheetCsv(rows)), extra));
}

/** The meters served (all of the market and view) at noon of the day. */
async function metersServed(storage: StorageClients, day: string): Promise<string[]> {
  const page = await lookupPrices(storage, {
    market: 'US',
    view: 'azure_consumption',
    instant: `${day}T12:00:00.0000000Z`,
    top: 1000,
  });
  return page.versions.map((version) => version.meterId).sort();
}

describe('price history', () => {
  const meters = [meterId(), meterId(), meterId(), meterId(), meterId()].sort();
  const rows = meters.map((id) => consumptionRow({ MeterIds: id }));

  it('a backfill listing an extra meter does not serve it after the later snapshots that do not list it', async () => {
    const { settings, storage } = testStorage();
    const kept = rows.slice(0, 4);
    const extra = rows[4];
    expect((await ingest(storage, settings, kept, { asOf: '2026-11-10', kind: 'refresh' })).outcome).toBe('succeeded');
    expect((await ingest(storage, settings, [...kept, extra], { asOf: '2026-11-05' })).outcome).toBe('succeeded');
    expect((await ingest(storage, settings, kept, { asOf: '2026-11-11', kind: 'refresh' })).outcome).toBe('succeeded');

    expect(await metersServed(storage, '2026-11-05')).toEqual(meters);
    expect(await metersServed(storage, '2026-11-09')).toEqual(meters);
    for (const day of ['2026-11-10', '2026-11-11', '2026-11-30'])
      expect(await metersServed(storage, day)).toEqual(meters.slice(0, 4));
  });

  it('a price that leaves and comes back is not served in its gap, whatever the order of ingestion', async () => {
    const sheets: [string, SheetRow[]][] = [
      ['2026-11-01', rows],
      ['2026-11-02', rows.slice(0, 4)],
      ['2026-11-03', rows],
    ];
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
    ]) {
      const { settings, storage } = testStorage();
      for (const index of order) {
        const [asOf, sheet] = sheets[index];
        expect((await ingest(storage, settings, sheet, { asOf })).outcome).toBe('succeeded');
      }
      expect(await metersServed(storage, '2026-11-01')).toEqual(meters);
      expect(await metersServed(storage, '2026-11-02')).toEqual(meters.slice(0, 4));
      expect(await metersServed(storage, '2026-11-03')).toEqual(meters);
    }
  });

  it("keeps the latest listing's content when an older sheet arrives after a gap in the listing", async () => {
    // Found by the property test: the 5th lists the same content as the 1st (so nothing is rewritten), the
    // 4th does not list the price, and the 2nd, ingested last, publishes another price for it.
    const { settings, storage } = testStorage();
    const other = rows.map((row) => ({ ...row, UnitPrice: '7.25' }));
    for (const [asOf, sheet] of [
      ['2026-11-01', rows],
      ['2026-11-05', rows],
      ['2026-11-04', rows.slice(1)],
      ['2026-11-02', other],
    ] as const) {
      expect((await ingest(storage, settings, [...sheet], { asOf })).outcome).toBe('succeeded');
    }
    const pricesOn = async (day: string) =>
      (
        await lookupPrices(storage, {
          market: 'US',
          view: 'azure_consumption',
          meterId: meters[0],
          instant: `${day}T12:00:00.0000000Z`,
          top: 10,
        })
      ).versions.map((version) => version.unitPrice);
    expect(await pricesOn('2026-11-04')).toEqual([]);
    expect(await pricesOn('2026-11-05')).toEqual([rows[0].UnitPrice]);
  });

  it('refuses a sheet that would remove most of a market unless the operator confirms it', async () => {
    const { settings, storage } = testStorage();
    await ingest(storage, settings, rows, { asOf: '2026-11-01' });
    const tiny = await ingest(storage, settings, rows.slice(0, 1), { asOf: '2026-11-02' });
    expect(tiny.outcome).toBe('failed');
    expect(tiny.error).toMatch(/would remove 4 of the 5 prices listed before it \(80\.00 %, limit .* 20 %\)/);
    expect(tiny.error).toMatch(/--allow-mass-removal/);
    expect(await metersServed(storage, '2026-11-02')).toEqual(meters);
    const [recorded] = await recentRuns(storage, 1);
    expect(recorded).toMatchObject({ runId: tiny.runId, outcome: 'failed', error: tiny.error });

    // One removal of five is 20 %: not more than the limit.
    const one = await ingest(storage, settings, rows.slice(0, 4), { asOf: '2026-11-02' });
    expect(one.outcome).toBe('succeeded');
    const confirmed = await ingest(storage, settings, rows.slice(0, 1), { asOf: '2026-11-03', allowMassRemoval: true });
    expect(confirmed.outcome).toBe('succeeded');
    expect(confirmed.counts.removed).toBe(3);
    expect(await metersServed(storage, '2026-11-03')).toEqual(meters.slice(0, 1));
  });

  it('counts removed prices, not replaced versions: a new price for every item is no mass removal', async () => {
    const { settings, storage } = testStorage();
    await ingest(storage, settings, rows, { asOf: '2026-11-01' });
    // Every price gets a new version from 5 November (Partner Center's usual price change).
    const repriced = rows.map((row) => ({ ...row, UnitPrice: '9.5', EffectiveStartDate: '11/5/2026 12:00:00 AM' }));
    const run = await ingest(storage, settings, repriced, { asOf: '2026-11-05' });
    expect(run).toMatchObject({ outcome: 'succeeded', counts: { added: 5, removed: 5 } });
    const page = await lookupPrices(storage, {
      market: 'US',
      view: 'azure_consumption',
      instant: '2026-11-06T12:00:00.0000000Z',
      top: 1000,
    });
    expect(page.versions.map((version) => version.unitPrice)).toEqual(['9.5', '9.5', '9.5', '9.5', '9.5']);
  });
});
