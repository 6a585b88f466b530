import { createLogger, memorySink } from '../../../shared/observability/logger';
import { checkHealth } from '../../../shared/runs/health';
import { refreshPrices } from '../../../shared/prices/refresh';
import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { createSampleSource } from '../../../shared/prices/sources/sample';
import { ensureStorage } from '../../../shared/storage/ensure';
import { recentRuns } from '../../../shared/runs/ledger';
import { testStorage } from '../../helpers/storage';
import { todayUtc } from '../../../shared/core/dates';
import { healthResponseSchema } from '../../../shared/api/schemas';
import { SourceError } from '../../../shared/http/sourceErrors';
import type { PriceSheetSource } from '../../../shared/prices/sources/source';

/** A source whose fetch fails, like an upstream that refuses. */
const brokenSource: PriceSheetSource = {
  name: 'broken',
  history: true,
  fetchPriceSheet: async (request) => {
    throw new SourceError('upstream said no', request);
  },
};
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
      asOf: todayUtc(),
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
    expect(fresh.prices.find((p) => p.market === 'US')).toMatchObject({ stale: false, asOf: todayUtc() });
    expect(fresh.prices.find((p) => p.market === 'DE')).toMatchObject({
      stale: true,
      lastSuccessAt: null,
      lastSuccess: null,
      lastFailure: { runId: results[0].runId, reason: expect.stringMatching(/^DE\/azure_consumption: no sample data/) },
    });

    const later = await checkHealth(storage, settings, new Date(now.getTime() + 37 * 3_600_000));
    expect(later.prices.find((p) => p.market === 'US')).toMatchObject({ stale: true });
    expect(later.prices.find((p) => p.market === 'US')?.ageHours).toBeGreaterThan(36);
  });

  it('does not count a backfill as a refresh, and shows the last failure when newer than the success', async () => {
    const { settings, storage } = testStorage({ PRICES_MARKETS: 'US', PRICES_VIEWS: 'azure_consumption' });
    const refresh = (source: PriceSheetSource, asOf: string) =>
      refreshPrices({
        storage,
        settings,
        logger: createLogger(memorySink()),
        source,
        markets: ['US'],
        views: ['azure_consumption'],
        timeline: 'current',
        asOf,
        kind: 'refresh',
      });
    const us = async () => (await checkHealth(storage, settings)).prices.find((p) => p.market === 'US');

    // A backfill alone: the market has never been refreshed.
    const [backfill] = await refresh(createSampleSource(), '2026-11-01');
    expect(backfill.outcome).toBe('succeeded');
    expect(await us()).toMatchObject({ lastSuccess: null, asOf: null, stale: true, lastFailure: null });

    const [current] = await refresh(createSampleSource(), todayUtc());
    const success = { asOf: todayUtc(), runId: current.runId, at: expect.any(String) };
    expect(await us()).toMatchObject({ lastSuccess: success, stale: false, lastFailure: null });

    // Another backfill after it changes nothing.
    await refresh(createSampleSource(), '2026-10-01');
    expect(await us()).toMatchObject({ lastSuccess: success, asOf: todayUtc() });

    const [failed] = await refresh(brokenSource, todayUtc());
    expect(failed.outcome).toBe('failed');
    const entry = await us();
    expect(entry).toMatchObject({
      lastSuccess: success,
      stale: false,
      lastFailure: { runId: failed.runId, reason: 'US/azure_consumption: upstream said no' },
    });
    expect(Date.parse(entry?.lastFailure?.at ?? '')).toBeGreaterThan(Date.parse(entry?.lastSuccess?.at ?? ''));

    // A success after the failure clears it.
    const [again] = await refresh(createSampleSource(), todayUtc());
    expect(await us()).toMatchObject({ lastSuccess: { runId: again.runId }, lastFailure: null });
    // The answer is what the OpenAPI document says it is.
    expect(healthResponseSchema.safeParse(await checkHealth(storage, settings)).error).toBeUndefined();
  });

  it('reads a ledger written before current refreshes were kept apart: a last success that is one counts', async () => {
    const { settings, storage } = testStorage({ PRICES_MARKETS: 'US,DE', PRICES_VIEWS: 'azure_consumption' });
    await ensureStorage(storage);
    const status = storage.table(storage.names.tables.runStatus);
    const today = todayUtc();
    const old = (market: string, asOf: string) => ({
      partitionKey: 'lastSuccess',
      rowKey: `${market}|azure_consumption|current`,
      runId: `old-${market}`,
      kind: 'refresh',
      source: 'sample',
      market,
      view: 'azure_consumption',
      timeline: 'current',
      asOf,
      startedAt: `${today}T01:00:00.0000000Z`,
      durationMs: 1000,
      outcome: 'succeeded',
    });
    await status.upsertEntity(old('US', today));
    await status.upsertEntity(old('DE', '2026-11-01'));
    const report = await checkHealth(storage, settings);
    expect(report.prices.find((p) => p.market === 'US')).toMatchObject({
      lastSuccess: { runId: 'old-US', asOf: today, at: `${today}T01:00:01.000Z` },
    });
    // A backfill then: it does not count.
    expect(report.prices.find((p) => p.market === 'DE')).toMatchObject({ lastSuccess: null, stale: true });
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
