import type { TableClient, TableEntity } from '@azure/data-tables';
import { odata } from '../../storage/sdk';
import type { PriceView } from '../views';
import { PRICE_FIELDS, type PriceField, type PriceRow } from '../row';
import type { PriceVersion } from '../version';
import { pointsOf, type ListingPoint } from '../listing';
import { regionOf } from '../region';
import { ifFound } from '../../storage/errors';
import { prefixRange } from '../../storage/keys';
import { meterPartition, meterRowPrefix, productPartition, skuRowPrefix, enc } from './keys';

/** Price versions in Table Storage: entity ⇄ row, and the key/range/point reads of the lookups. */

export type PriceEntity = TableEntity<Record<string, string>>;

/**
 * Committed reads. A run writes each version it changes as a pending state tagged with its run id
 * (`pendingRun`), keeping the committed state beside it; readers use the pending state only when
 * that run has committed (its snapshot entity exists: committedRuns.ts), so nothing a run writes is
 * visible before its snapshot, and a killed run's states are ignored (the next run to change the
 * entity writes over them). Once committed, a pending state simply is the state: it is folded into
 * the committed one when the next run changes the entity.
 */
export type CommittedRuns = Pick<ReadonlySet<string>, 'has'>;

/** Whether the entity's pending state (if it has one) is visible: written by a committed run. */
const pendingVisible = (entity: Record<string, unknown>, committed: CommittedRuns) =>
  typeof entity.pendingRun !== 'string' || committed.has(entity.pendingRun);

/**
 * A version entity (rows without a meter): the fields of its new state as text (prices stay as
 * published; null fields are left out), its content hash, the day its content was published, its
 * listing points as JSON, the run that wrote it, and the committed state it replaces as JSON.
 */
export function entityOf(
  stored: StoredVersion,
  partitionKey: string,
  pending?: { runId: string; committed: StoredVersion | undefined },
): PriceEntity {
  const entity: PriceEntity = { partitionKey, rowKey: stored.rowKey, contentHash: stored.contentHash };
  if (stored.contentAsOf) entity.contentAsOf = stored.contentAsOf;
  if (stored.listing) entity.listing = JSON.stringify(stored.listing);
  if (pending) entity.pendingRun = pending.runId;
  if (pending?.committed) entity.committedState = JSON.stringify(pending.committed);
  return { ...entity, ...stored.row };
}

/** The visible state of a version entity (undefined: none yet, only an uncommitted run's). */
export function visibleVersionOfEntity(
  entity: Record<string, unknown>,
  committed: CommittedRuns,
): StoredVersion | undefined {
  if (pendingVisible(entity, committed)) return storedVersionOfEntity(entity);
  return typeof entity.committedState === 'string' ? (JSON.parse(entity.committedState) as StoredVersion) : undefined;
}

/** The stored form of a version entity's own fields (what entityOf wrote, or an entity with a removal day). */
function storedVersionOfEntity(entity: Record<string, unknown>): StoredVersion {
  const row: Partial<Record<PriceField, string>> = {};
  for (const field of PRICE_FIELDS) if (typeof entity[field] === 'string') row[field] = entity[field];
  const stored: StoredVersion = { rowKey: entity.rowKey as string, contentHash: String(entity.contentHash), row };
  if (typeof entity.contentAsOf === 'string') stored.contentAsOf = entity.contentAsOf;
  if (typeof entity.listing === 'string') stored.listing = JSON.parse(entity.listing) as ListingPoint[];
  else if (typeof entity.removedAsOf === 'string') stored.listing = pointsOf({ removedAsOf: entity.removedAsOf });
  return stored;
}

const NULLABLE = new Set<string>(['pricingTierRangeMin', 'pricingTierRangeMax', 'erpPrice', 'endOfSaleDate']);

function priceVersionOf(stored: StoredVersion): PriceVersion {
  const version: Record<string, string | null> = {};
  for (const field of PRICE_FIELDS) {
    const value = stored.row[field];
    version[field] = typeof value === 'string' ? value : NULLABLE.has(field) ? null : '';
  }
  const row = version as unknown as PriceRow;
  // Partner Center rows have no region columns: the region their titles name (region.ts), read as data.
  return { ...row, ...regionOf(row), listing: pointsOf(stored) };
}

async function listRange(
  table: TableClient,
  range: { partitionKey: string; prefix: string },
  committed: CommittedRuns,
): Promise<PriceVersion[]> {
  const versions: PriceVersion[] = [];
  const rows = prefixRange(range.prefix);
  const filter = odata`PartitionKey eq ${range.partitionKey} and RowKey ge ${rows.from} and RowKey lt ${rows.to}`;
  for await (const entity of table.listEntities({ queryOptions: { filter } }))
    versions.push(...versionsOfEntity(entity, committed));
  return versions;
}

/**
 * Views priced per meter keep all versions of one meter together in ONE entity (row key = the
 * meter id), so a lookup by meter is a single point read, and a cold ingest writes one entity per
 * meter (its tiers and dates inside) rather than one per row. Each stored version keeps its own
 * version row key (`{meter}|{product}|{sku}|…|{start}`, as listed in snapshot manifests), content
 * hash and removal mark. The JSON is split over properties of at most 30,000 characters (a string
 * property holds 64 KiB); an entity holds at most 1 MiB, which is hundreds of versions per meter.
 */
export interface StoredVersion {
  /** The version's own row key (what snapshot manifests list). */
  rowKey: string;
  contentHash: string;
  /** The day of the snapshot the content was published in: the latest-dated snapshot listing the version. */
  contentAsOf?: string;
  /** Change points of its listing (listing.ts). */
  listing?: ListingPoint[];
  /** Written before change points existed: the day a snapshot stopped listing it (read as a point). */
  removedAsOf?: string;
  row: Partial<Record<PriceField, string>>;
}

const DOC_CHUNK_CHARS = 30_000;
const DOC_MAX_CHUNKS = 16;

/** True for the partitions holding meter documents (`…|m{xx}`). */
export function isMeterDocPartition(partitionKey: string): boolean {
  return /\|m[^|]*$/.test(partitionKey);
}

/** The meter document holding a version: same partition, row key = the version row key's first part. */
export function meterDocRowKey(versionRowKey: string): string {
  return versionRowKey.slice(0, versionRowKey.indexOf('|'));
}

/** A row's fields as stored: text only, null and empty fields left out. */
export function compactRow(row: PriceRow): Partial<Record<PriceField, string>> {
  const compact: Partial<Record<PriceField, string>> = {};
  for (const field of PRICE_FIELDS) {
    const value = row[field];
    if (value !== null && value !== '') compact[field] = value;
  }
  return compact;
}

/**
 * A meter document: its committed versions in properties `v0…`, and with `pending`, the run's new
 * versions in `p0…` and the run id in `pendingRun` (a cold ingest has no committed versions). The
 * two together stay within the entity's 1 MiB.
 */
export function meterDocEntity(
  partitionKey: string,
  rowKey: string,
  versions: StoredVersion[],
  pending?: { runId: string; versions: StoredVersion[] },
): PriceEntity {
  const entity: PriceEntity = { partitionKey, rowKey };
  const chunks = putChunks(entity, 'v', versions) + (pending ? putChunks(entity, 'p', pending.versions) : 0);
  if (chunks > DOC_MAX_CHUNKS)
    throw new Error(`meter ${decodeURIComponent(rowKey)} has too many versions to store (${versions.length})`);
  if (pending) entity.pendingRun = pending.runId;
  return entity;
}

/** Puts the versions' JSON into properties `{prefix}0…` (none for no versions); returns how many. */
function putChunks(entity: PriceEntity, prefix: string, versions: StoredVersion[]): number {
  if (versions.length === 0) return 0;
  const json = JSON.stringify(versions);
  const chunks = Math.ceil(json.length / DOC_CHUNK_CHARS);
  for (let i = 0; i < chunks; i++) entity[`${prefix}${i}`] = json.slice(i * DOC_CHUNK_CHARS, (i + 1) * DOC_CHUNK_CHARS);
  return chunks;
}

function chunkedVersions(entity: Record<string, unknown>, prefix: string): StoredVersion[] {
  let json = '';
  for (let i = 0; typeof entity[`${prefix}${i}`] === 'string'; i++) json += entity[`${prefix}${i}`] as string;
  return json ? (JSON.parse(json) as StoredVersion[]) : [];
}

/** The visible versions of a meter document: the pending ones once their run has committed. */
export function visibleVersionsOfDoc(entity: Record<string, unknown>, committed: CommittedRuns): StoredVersion[] {
  return typeof entity.pendingRun === 'string' && committed.has(entity.pendingRun)
    ? chunkedVersions(entity, 'p')
    : chunkedVersions(entity, 'v');
}

/** The visible versions an entity holds: all of a meter document's, or the one of a version entity. */
export function versionsOfEntity(entity: Record<string, unknown>, committed: CommittedRuns): PriceVersion[] {
  if (isMeterDocPartition(entity.partitionKey as string))
    return visibleVersionsOfDoc(entity, committed).map(priceVersionOf);
  const visible = visibleVersionOfEntity(entity, committed);
  return visible ? [priceVersionOf(visible)] : [];
}

/** The visible versions of a meter document (empty when there is none). */
export async function readMeterDoc(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  committed: CommittedRuns,
): Promise<StoredVersion[]> {
  const entity = await ifFound(table.getEntity(partitionKey, rowKey));
  return entity ? visibleVersionsOfDoc(entity, committed) : [];
}

/** One version by the keys a snapshot manifest lists (null when it is not stored). */
export async function readVersion(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  committed: CommittedRuns,
): Promise<PriceVersion | null> {
  if (!isMeterDocPartition(partitionKey)) {
    const entity = await ifFound(table.getEntity(partitionKey, rowKey));
    const visible = entity && visibleVersionOfEntity(entity, committed);
    return visible ? priceVersionOf(visible) : null;
  }
  const doc = await readMeterDoc(table, partitionKey, meterDocRowKey(rowKey), committed);
  const stored = doc.find((v) => v.rowKey === rowKey);
  return stored ? priceVersionOf(stored) : null;
}

/** Every stored version of a meter (optionally of one product and SKU): one point read. */
export async function versionsByMeter(
  table: TableClient,
  q: { market: string; view: PriceView; meterId: string; productId?: string; skuId?: string },
  committed: CommittedRuns,
): Promise<PriceVersion[]> {
  const prefix = meterRowPrefix(q.meterId, q.productId, q.skuId);
  const partitionKey = meterPartition(q.market, q.view, q.meterId);
  const stored = await readMeterDoc(table, partitionKey, meterDocRowKey(prefix), committed);
  return stored.filter((v) => v.rowKey.startsWith(prefix)).map(priceVersionOf);
}

/** Every stored version of a product without meters (optionally one SKU): one range query. */
export function versionsByProduct(
  table: TableClient,
  q: { market: string; view: PriceView; productId: string; skuId?: string },
  committed: CommittedRuns,
): Promise<PriceVersion[]> {
  const partitionKey = productPartition(q.market, q.view, q.productId);
  return listRange(table, { partitionKey, prefix: q.skuId === undefined ? '' : skuRowPrefix(q.skuId) }, committed);
}

/** The partition-key range holding all versions of a market and view (for listings). */
export function marketViewRange(market: string, view: PriceView): { from: string; to: string } {
  return prefixRange(`${enc(market)}|${view}|`);
}
