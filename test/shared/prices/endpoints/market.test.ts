import { handlePriceChanges } from '../../../../shared/prices/endpoints/changes';
import { handlePrices } from '../../../../shared/prices/endpoints/lookup';
import { handleExchangeRates } from '../../../../shared/rates/endpoint';
import { requestFor, type ApiResponse } from '../../../../shared/api/endpoint';
import { testStorage } from '../../../helpers/storage';
import { consumptionSheet, fxCsv, ingestFx, ingestSheet, json, logger, TIER_METER } from '../../../helpers/apiFixtures';

/**
 * What the answers say about the snapshots they were read from: 404 for a market never loaded, the
 * freshness of the snapshot, an ETag that holds until a snapshot is committed (then 304 stops), and
 * the next page as a link.
 */

const PAGING_SECRET = 'test-paging-secret-of-32-characters!';
const { settings, storage } = testStorage();

const prices = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  handlePrices(requestFor('/api/prices', query, headers), storage, logger(), PAGING_SECRET);
const changes = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  handlePriceChanges(requestFor('/api/prices/changes', query, headers), storage, logger(), PAGING_SECRET);
const rates = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  handleExchangeRates(requestFor('/api/exchange-rates', query, headers), storage, logger());
const etagOf = (response: ApiResponse) => response.headers.etag;

beforeAll(async () => {
  await ingestSheet(storage, settings, consumptionSheet(), { asOf: '2026-11-01' });
  await ingestFx(storage, settings, fxCsv({ EUR: '1.0867' }), '2026-10-20');
});

describe('a market or view that was never loaded', () => {
  it('is 404 MarketNotFound, naming the market as sent, for prices and price changes', async () => {
    for (const response of [
      await prices({ market: 'de' }),
      await prices({ market: 'US', view: 'azure_reservations' }),
      await changes({ market: 'DE', from: '2026-11-01', to: '2026-11-02' }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(json(response)).toMatchObject({ code: 'MarketNotFound', parameter: 'market', status: 404 });
    }
    expect(json(await prices({ market: 'DE' })).detail).toBe('market: no azure_consumption prices are stored for DE');
  });

  it('is 404 SnapshotNotFound when the market exists but not on that date', async () => {
    const response = await changes({ market: 'US', from: '2026-10-01', to: '2026-11-02' });
    expect(json(response)).toMatchObject({ status: 404, code: 'SnapshotNotFound', parameter: 'from' });
  });
});

describe('freshness, ETag and 304', () => {
  it('tells the snapshot an answer was read from', async () => {
    const body = json(await prices({ market: 'US', meterId: TIER_METER, date: '2026-11-02' }));
    expect(body.freshness).toMatchObject({ asOf: '2026-11-01', source: 'test' });
    expect(Date.parse(body.freshness.snapshotTakenAt)).toBeLessThanOrEqual(Date.now());
    expect(body.freshness.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(json(await rates({ date: '2026-10-25' })).freshness).toMatchObject({ asOf: '2026-10-20', source: 'test' });
  });

  it('answers 304 to its own ETag until a snapshot of the market and view is committed', async () => {
    const query = { market: 'US', meterId: TIER_METER, date: '2026-11-02' };
    const first = await prices(query);
    expect(etagOf(first)).toMatch(/^W\/"/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await prices(query, { 'if-none-match': etagOf(first) });
    expect(again).toMatchObject({ status: 304, body: '' });
    expect(etagOf(again)).toBe(etagOf(first));
    // Another query is another answer.
    expect(etagOf(await prices({ ...query, date: '2026-11-03' }))).not.toBe(etagOf(first));

    const changesQuery = { market: 'US', from: '2026-11-01', to: '2026-11-05' };
    const changesBefore = await changes(changesQuery);

    // A later day's sheet (a backfill would do the same) changes what the lookup may read.
    await ingestSheet(storage, settings, consumptionSheet(), { asOf: '2026-11-04' });
    const after = await prices(query, { 'if-none-match': etagOf(first) });
    expect(after.status).toBe(200);
    expect(etagOf(after)).not.toBe(etagOf(first));
    expect(json(after).freshness.asOf).toBe('2026-11-04');
    const changesAfter = await changes(changesQuery, { 'if-none-match': etagOf(changesBefore) });
    expect(changesAfter.status).toBe(200);
    expect(json(changesAfter).snapshots).toEqual({ from: '2026-11-01', to: '2026-11-04' });
  });

  it('exchange rates: 304 for the same fetch, 200 once a newer fetch is in force', async () => {
    const first = await rates({ date: '2026-10-25', currency: 'EUR' });
    expect((await rates({ date: '2026-10-25', currency: 'EUR' }, { 'if-none-match': etagOf(first) })).status).toBe(304);
    await ingestFx(storage, settings, fxCsv({ EUR: '1.09' }), '2026-10-22');
    const newer = await rates({ date: '2026-10-25', currency: 'EUR' }, { 'if-none-match': etagOf(first) });
    expect(newer.status).toBe(200);
    expect(json(newer).rates[0].usdPerUnit).toBe(1.09);
  });
});

describe('nextLink', () => {
  it('is the full URL of the next page, which answers what the token answers; null on the last page', async () => {
    const first = json(await prices({ market: 'US', top: '2', date: '2026-11-02' }));
    const link = new URL(first.nextLink);
    expect(link.pathname).toBe('/api/prices');
    expect(link.searchParams.get('continuationToken')).toBe(first.continuationToken);
    const byLink = await handlePrices(
      { url: first.nextLink, headers: new Headers() },
      storage,
      logger(),
      PAGING_SECRET,
    );
    const byToken = await prices({
      market: 'US',
      top: '2',
      date: '2026-11-02',
      continuationToken: first.continuationToken,
    });
    expect(json(byLink).items).toEqual(json(byToken).items);
    const last = json(await prices({ market: 'US', meterId: TIER_METER }));
    expect(last).toMatchObject({ continuationToken: null, nextLink: null });
  });
});
