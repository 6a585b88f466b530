import { createHash } from 'node:crypto';
import type { TableClient, TableEntityResultPage } from '@azure/data-tables';
import { LRUCache } from 'lru-cache';
import type { PriceView } from '../views';
import type { PriceVersion } from '../version';
import { readPackedSet } from '../../storage/packedSet';
import { meterPartition, enc } from './keys';
import { versionsByMeter, versionsByProduct, versionsOfEntity, type CommittedRuns } from './versions';

/**
 * In-process caches of what lookups, listings and searches read, keyed by the committed runs they were read
 * under. What a reader sees under a given set of committed runs never changes: a run's writes stay
 * invisible until its snapshot commits (tables/versions.ts, committed reads), and a commit changes
 * the set — hence the key. Indexes are append-only and written before their run commits, so one read
 * under a set of runs holds at least everything those runs made visible. Concurrent requests for the
 * same entry share one read (LRUCache.fetch).
 */

/**
 * Versions kept by each of the two version caches (meters and products; listing pages): about 2 KB
 * each as objects, so ~10 MB a cache — enough for the hot products and the first pages of listings.
 */
const MAX_CACHED_VERSIONS = 5_000;
/** Index items kept (unit and value strings, ~60 bytes each; search candidates share them): ~9 MB. */
const MAX_CACHED_INDEX_ITEMS = 150_000;

const signatures = new WeakMap<object, string>();

/** A short text naming the set of committed runs (null: not a set, not cached). */
export function committedSignature(committed: CommittedRuns): string | null {
  if (!(committed instanceof Set)) return null;
  let signature = signatures.get(committed);
  if (signature === undefined) {
    const runs = [...(committed as Set<string>)].sort().join(',');
    signature = createHash('sha1').update(runs).digest('base64');
    signatures.set(committed, signature);
  }
  return signature;
}

interface Read<T> {
  read: () => Promise<T>;
}

const versionCache = new LRUCache<string, PriceVersion[], Read<PriceVersion[]>>({
  maxSize: MAX_CACHED_VERSIONS,
  sizeCalculation: (versions) => Math.max(1, versions.length),
  fetchMethod: (_key, _stale, { context }) => context.read(),
});

const indexCache = new LRUCache<string, string[], Read<string[]>>({
  maxSize: MAX_CACHED_INDEX_ITEMS,
  sizeCalculation: (items) => Math.max(1, items.length),
  fetchMethod: (_key, _stale, { context }) => context.read(),
});

async function cached<T extends unknown[]>(
  cache: LRUCache<string, T, Read<T>>,
  key: string,
  committed: CommittedRuns,
  read: () => Promise<T>,
): Promise<T> {
  const signature = committedSignature(committed);
  if (signature === null) return read();
  return (await cache.fetch(`${signature}|${key}`, { context: { read } })) as T;
}

/** Every committed version of a meter (read-only: shared between requests). */
export function meterVersions(
  table: TableClient,
  q: { market: string; view: PriceView; meterId: string },
  committed: CommittedRuns,
): Promise<PriceVersion[]> {
  const meter = q.meterId.toLowerCase();
  const key = `${table.tableName}|${meterPartition(q.market, q.view, meter)}|${enc(meter)}`;
  return cached(versionCache, key, committed, () => versionsByMeter(table, { ...q, meterId: meter }, committed));
}

/** Every committed version of a product without meters (read-only: shared between requests). */
export function productVersions(
  table: TableClient,
  q: { market: string; view: PriceView; productId: string },
  committed: CommittedRuns,
): Promise<PriceVersion[]> {
  const key = `${table.tableName}|${q.market}|${q.view}|p|${enc(q.productId)}`;
  return cached(versionCache, key, committed, () => versionsByProduct(table, q, committed));
}

/** A list computed from index sets only (a search's candidate units), cached with them under the same key rule. */
export function derivedIndexList(key: string, committed: CommittedRuns, compute: () => Promise<string[]>) {
  return cached(indexCache, `derived|${key}`, committed, compute);
}

/** A packed index set (product index, search index) as of the committed runs. */
export function indexSet(table: TableClient, partitionKey: string, committed: CommittedRuns): Promise<string[]> {
  return cached(indexCache, `${table.tableName}|${partitionKey}`, committed, () => readPackedSet(table, partitionKey));
}

/** One answer of a listing query: the visible versions of each entity, and where the query goes on. */
export interface ListingPage {
  entries: { partitionKey: string; rowKey: string; versions: PriceVersion[] }[];
  continuationToken?: string;
}

const listingCache = new LRUCache<string, ListingPage, Read<ListingPage>>({
  maxSize: MAX_CACHED_VERSIONS,
  sizeCalculation: (page) =>
    Math.max(
      1,
      page.entries.reduce((sum, entry) => sum + entry.versions.length, 1),
    ),
  fetchMethod: (_key, _stale, { context }) => context.read(),
});

/**
 * One page of a listing query (`continuationToken` from the page before, none for the first). An
 * entity a run has written but not committed reads as no versions under `committed`, as uncached.
 */
export async function listingPage(
  table: TableClient,
  q: { filter: string; maxPageSize: number; continuationToken?: string },
  committed: CommittedRuns,
): Promise<ListingPage> {
  const read = async (): Promise<ListingPage> => {
    const pages = table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: q.filter } })
      .byPage({ maxPageSize: q.maxPageSize, continuationToken: q.continuationToken });
    const next: IteratorResult<TableEntityResultPage<Record<string, unknown>>> = await pages.next();
    if (next.done) return { entries: [] };
    const page = next.value;
    const entries = page.map((entity) => ({
      partitionKey: entity.partitionKey as string,
      rowKey: entity.rowKey as string,
      versions: versionsOfEntity(entity, committed),
    }));
    return { entries, continuationToken: page.continuationToken };
  };
  const signature = committedSignature(committed);
  if (signature === null) return read();
  const key = `${signature}|${table.tableName}|${q.maxPageSize}|${q.continuationToken ?? ''}|${q.filter}`;
  return (await listingCache.fetch(key, { context: { read } })) as ListingPage;
}
