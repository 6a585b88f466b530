import type { TableClient } from '@azure/data-tables';
import { odata } from '../storage/sdk';
import Decimal from 'decimal.js';
import type { PriceView } from './views';
import { pricesInForce, type PriceVersion } from './version';
import type { StorageClients } from '../storage/clients';
import { isMeterDocPartition, marketViewRange, type CommittedRuns } from './tables/versions';
import { priceKeyPrefix } from './tables/keys';
import { metersOfPairs, productIndexPartition } from './tables/productIndex';
import { committedRuns } from './tables/committedRuns';
import { indexSet, listingPage, meterVersions, productVersions } from './tables/cachedReads';
import { matchesFilter } from './search/match';
import type { FilterNode } from './search/filter';
import { candidateUnits } from './search/candidates';

/**
 * Prices in force at an instant, a page at a time.
 * - By meter: one point read (the meter's document holds all its versions), cached per committed
 *   state (tables/cachedReads.ts) like the product index and the product reads.
 * - By product: license-based views keep a product in one partition (one range query); views priced
 *   per meter go through the product index (one query) and then one point read per meter, a few
 *   in parallel, plus the product's partition for any rows it has without a meter.
 * - Neither: a listing of the market and view, read in key order across its partition range; the
 *   other filters are applied to the versions read.
 * In every case the versions of one price are read together and the overlap rule picks one, and only
 * what committed runs wrote is read (tables/versions.ts, committed reads).
 */

export interface PriceQuery {
  market: string;
  view: PriceView;
  meterId?: string;
  productId?: string;
  skuId?: string;
  termDuration?: string;
  billingPlan?: string;
  currency?: string;
  /** A parsed `$filter`, applied to the versions in force (search/filter.ts). */
  filter?: FilterNode;
  /** Normalized instant. */
  instant: string;
  top: number;
  cursor?: LookupCursor;
}

/**
 * Where the next page starts: a position in the list of lookups, or the last row a listing consumed
 * whole, plus how many prices of the next group the listing served already (`skip`).
 */
export type LookupCursor =
  { source: number; offset: number } | { partitionKey: string; lastRowKey: string; skip?: number };

export interface PricePage {
  versions: PriceVersion[];
  next: LookupCursor | null;
}

/** The reads of a product lookup (its partition's range query, a point read per meter) run this many at a time. */
const SOURCE_CONCURRENCY = 8;
/** A listing reads at most this many entities per page and then hands out a cursor, however few matched. */
export const LISTING_READ_LIMIT = 20_000;
/** The most entities one answer of a table query holds (the service's limit). */
const MAX_QUERY_PAGE = 1000;
/** A search reads at most this many units (meters, products) per page, then hands out a cursor. */
export const SEARCH_READ_LIMIT = 2_000;

export async function lookupPrices(storage: StorageClients, query: PriceQuery): Promise<PricePage> {
  const table = storage.table(storage.names.tables.prices);
  const committed = await committedRuns(storage, query.market, query.view);
  if (query.meterId === undefined && query.productId === undefined) {
    const units = query.filter && (await candidateUnits({ storage, ...query, committed }, query.filter));
    if (!units) return listMarketView(table, query, committed);
    return pageOverSources(
      units.map((unit) => unitSource(table, query, unit, committed)),
      query,
      SEARCH_READ_LIMIT,
    );
  }
  const sources = await rangeSources(storage, { table, committed }, query);
  return pageOverSources(sources, query);
}

type Source = () => Promise<PriceVersion[]>;

/** A search unit's versions (search/candidates.ts): a meter document or a product's partition. */
function unitSource(table: TableClient, query: PriceQuery, unit: string, committed: CommittedRuns): Source {
  const { market, view } = query;
  const id = unit.slice(2);
  if (unit.startsWith('m:')) return () => meterVersions(table, { market, view, meterId: id }, committed);
  return () => productVersions(table, { market, view, productId: decodeURIComponent(id) }, committed);
}

async function rangeSources(
  storage: StorageClients,
  { table, committed }: { table: TableClient; committed: CommittedRuns },
  query: PriceQuery,
): Promise<Source[]> {
  const { market, view, productId, skuId } = query;
  const ofProduct = (versions: PriceVersion[], sku: string | undefined) =>
    versions.filter(
      (version) =>
        (productId === undefined || version.productId === productId) && (sku === undefined || version.skuId === sku),
    );
  if (query.meterId !== undefined) {
    const meterId = query.meterId;
    const sku = productId === undefined ? undefined : skuId;
    return [async () => ofProduct(await meterVersions(table, { market, view, meterId }, committed), sku)];
  }
  const product = productId as string;
  const unmetered: Source = async () =>
    ofProduct(await productVersions(table, { market, view, productId: product }, committed), skuId);
  if (view === 'updatedlicensebased') return [unmetered];
  const index = storage.table(storage.names.tables.priceProducts);
  const meters = metersOfPairs(await indexSet(index, productIndexPartition(market, view, product), committed), skuId);
  return [
    unmetered,
    ...meters.map(
      (meter) => async () =>
        ofProduct(await meterVersions(table, { market, view, meterId: meter.meterId }, committed), meter.skuId),
    ),
  ];
}

function matchesFilters(version: PriceVersion, query: PriceQuery): boolean {
  return (
    (query.skuId === undefined || version.skuId === query.skuId) &&
    (query.termDuration === undefined || version.termDuration === query.termDuration) &&
    (query.billingPlan === undefined || version.billingPlan === query.billingPlan) &&
    (query.currency === undefined || version.currency === query.currency) &&
    (query.filter === undefined || matchesFilter(version, query.filter))
  );
}

const tierOrder = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : new Decimal(a).comparedTo(b);

/** A stable order within the versions of one read: by price key, tiers by their numeric lower bound. */
function byPrice(a: PriceVersion, b: PriceVersion): number {
  for (const field of ['productId', 'skuId', 'meterId', 'termDuration', 'billingPlan', 'currency'] as const) {
    if (a[field] !== b[field]) return a[field] < b[field] ? -1 : 1;
  }
  return tierOrder(a.pricingTierRangeMin, b.pricingTierRangeMin);
}

async function pageOverSources(sources: Source[], query: PriceQuery, readLimit = Infinity): Promise<PricePage> {
  const start = query.cursor && 'source' in query.cursor ? query.cursor : { source: 0, offset: 0 };
  const versions: PriceVersion[] = [];
  for (let first = start.source; first < sources.length; first += SOURCE_CONCURRENCY) {
    if (first - start.source >= readLimit) return { versions, next: { source: first, offset: 0 } };
    const window = await Promise.all(sources.slice(first, first + SOURCE_CONCURRENCY).map((load) => load()));
    for (let i = 0; i < window.length; i++) {
      const index = first + i;
      // Filtered after the overlap rule: a filter on content must see the version in force.
      const inForce = pricesInForce(window[i], query.instant)
        .filter((version) => matchesFilters(version, query))
        .sort(byPrice);
      let offset = index === start.source ? start.offset : 0;
      while (offset < inForce.length && versions.length < query.top) versions.push(inForce[offset++]);
      if (versions.length === query.top) {
        const more = offset < inForce.length;
        if (more) return { versions, next: { source: index, offset } };
        return { versions, next: index + 1 < sources.length ? { source: index + 1, offset: 0 } : null };
      }
    }
  }
  return { versions, next: null };
}

/**
 * A listing reads the market and view in key order. A meter document holds every version of its
 * prices; a license-based price spreads its versions over consecutive version entities, grouped here
 * by row-key prefix, so a price's versions are always read together. A page holds at most `top`
 * prices: when a group (a meter's tiers) has more than fit, the cursor points before the group and
 * says how many of its prices were served.
 */
async function listMarketView(table: TableClient, query: PriceQuery, committed: CommittedRuns): Promise<PricePage> {
  const range = marketViewRange(query.market, query.view);
  const resume = query.cursor && 'partitionKey' in query.cursor ? query.cursor : null;
  const filters = resume
    ? [
        odata`PartitionKey eq ${resume.partitionKey} and RowKey gt ${resume.lastRowKey}`,
        odata`PartitionKey gt ${resume.partitionKey} and PartitionKey lt ${range.to}`,
      ]
    : [odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`];

  const versions: PriceVersion[] = [];
  let group: { partitionKey: string; unit: string; lastRowKey: string; versions: PriceVersion[] } | null = null;
  // Before the first row of the range: no partition key equals the range's start.
  let last: LookupCursor = resume
    ? { partitionKey: resume.partitionKey, lastRowKey: resume.lastRowKey }
    : {
        partitionKey: range.from,
        lastRowKey: '',
      };
  let skip = resume?.skip ?? 0;
  let read = 0;
  /** Serves the group's prices that fit; returns the cursor into the group when some did not. */
  const emit = (): LookupCursor | null => {
    if (!group) return null;
    const prices = pricesInForce(group.versions, query.instant)
      .filter((version) => matchesFilters(version, query))
      .sort(byPrice);
    const served = prices.slice(skip, skip + query.top - versions.length);
    versions.push(...served);
    const cut = skip + served.length < prices.length ? { ...last, skip: skip + served.length } : null;
    skip = 0;
    last = { partitionKey: group.partitionKey, lastRowKey: group.lastRowKey };
    return cut;
  };
  // Storage answers a query a page at a time (at most 1,000 entities). A listing that keeps about
  // every price it reads asks for pages just above `top` (mostly one price or a meter's tiers per
  // entity), so a small page of the listing is one small answer rather than a 1,000-entity one.
  const keepsAll = [query.skuId, query.termDuration, query.billingPlan, query.currency, query.filter].every(
    (condition) => condition === undefined,
  );
  const maxPageSize = keepsAll ? Math.min(MAX_QUERY_PAGE, 2 * query.top + 1) : MAX_QUERY_PAGE;
  for (const filter of filters) {
    let continuationToken: string | undefined;
    do {
      const page = await listingPage(table, { filter, maxPageSize, continuationToken }, committed);
      for (const { partitionKey, rowKey, versions: ofEntity } of page.entries) {
        const unit = isMeterDocPartition(partitionKey) ? rowKey : priceKeyPrefix(rowKey);
        if (!group || group.partitionKey !== partitionKey || group.unit !== unit) {
          const cut = emit();
          if (cut) return { versions, next: cut };
          if (versions.length >= query.top || read >= LISTING_READ_LIMIT) return { versions, next: last };
          group = { partitionKey, unit, lastRowKey: rowKey, versions: [] };
        }
        group.versions.push(...ofEntity);
        group.lastRowKey = rowKey;
        read++;
      }
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
  }
  return { versions, next: emit() };
}
