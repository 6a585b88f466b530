import { createLogger, memorySink } from '../../../shared/observability/logger';
import { checkHealth } from '../../../shared/runs/health';
import { refreshPrices } from '../../../shared/prices/refresh';
import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { createSampleSource } from '../../../shared/prices/sources/sample';
import { ensureStorage } from '../../../shared/storage/ensure';
import { recentRuns } from '../../../shared/runs/ledger';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, downloadOf, ingestRequest, sheetCsv } from '../../helpers/priceSheets';

describe('refresh of several markets, and health', () => {
  it('goes on after a failing market; the ledger tells which failed; health shows the stale one', async () => {
    const { settings, storage } = testStorage({ PRICES_MARKETS: 'US,DE', PRICES_VIEWS: 'azure_consumption' });
    const results = await refreshPrices({
      storage,
      settings,
      logger: createLogger(memorySink()),
      source: createSampleSource(),
      markets: ['DE', 'US'],
      views: ['azure_consumption'],
      timeline: 'current',
      asOf: '2026-11-01',
      kind: 'refresh',
    });
    expect(results.map((r) => [r.market, r.outcome])).toEqual([
      ['DE', 'failed'],
      ['US', 'succeeded'],
    ]);
    const ledger = await recentRuns(storage, 10);
    expect(ledger.map((r) => [r.market, r.outcome]).sort()).toEqual([
      ['DE', 'failed'],
      ['US', 'succeeded'],
    ]);
    expect(ledger.find((r) => r.market === 'DE')?.error).toMatch(/DE\/azure_consumption/);

    const now = new Date();
    const fresh = await checkHealth(storage, settings, now);
    expect(fresh.status).toBe('stale'); // DE never refreshed
    expect(fresh.prices.find((p) => p.market === 'US')).toMatchObject({ stale: false, asOf: '2026-11-01' });
    expect(fresh.prices.find((p) => p.market === 'DE')).toMatchObject({ stale: true, lastSuccessAt: null });

    const later = await checkHealth(storage, settings, new Date(now.getTime() + 37 * 3_600_000));
    expect(later.prices.find((p) => p.market === 'US')).toMatchObject({ stale: true });
    expect(later.prices.find((p) => p.market === 'US')?.ageHours).toBeGreaterThan(36);
  });

  it('a run waits for a refresh holding the lock and gives up with a clear error', async () => {
    const { settings, storage } = testStorage({ REFRESH_LOCK_WAIT_SECONDS: '1' });
    await ensureStorage(storage);
    // Another process holds the lease (and might have died: the lease then expires on its own).
    const lockBlob = storage.blobs
      .getContainerClient(storage.names.containers.locks)
      .getBlockBlobClient('azure_consumption/US/current');
    await lockBlob.upload('', 0);
    await lockBlob.getBlobLeaseClient().acquireLease(15);
    const run = await ingestPriceSheet(ingestRequest(storage, settings, downloadOf(sheetCsv([consumptionRow()]))));
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatch(/another run holds azure_consumption\/US\/current; gave up after waiting 1 s/);
  });
});
