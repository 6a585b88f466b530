import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { odata } from '../../storage/sdk';
import type { PriceView } from '../views';
import type { PriceRow } from '../row';
import { regionOf } from '../region';
import { fold } from '../search/match';
import { readPackedSet } from '../../storage/packedSet';
import { enc, isMetered, meterOf } from './keys';
import { marketViewRange, versionsOfEntity, type CommittedRuns } from './versions';

/**
 * The search index of `$filter` (table `pricesearch`), two kinds of packed sets (storage/packedSet.ts)
 * per market, view and indexed field:
 * - values: `{market}|{view}|{field}|v` — every distinct value of the field (folded, URI-encoded,
 *   after a `=`: the empty value is an item too);
 * - terms: `{market}|{view}|{field}|t{value}` — the units holding a version with that value, where a
 *   unit is what one read returns: `m:{meterId}` (a meter document) or `p:{productId}` (the partition
 *   of a product without meters).
 * It is a superset: it holds the values of every row of every sheet ingested (an ingest adds the
 * rows its base snapshot does not list with the same content — those the base's ingest added), and
 * never removes, so it is a function of the set of sheets ingested, not of their order. A search
 * reads the units it names and applies the filter to the versions in force, so a stale entry costs
 * a read, never a wrong answer.
 */

export const INDEXED_FIELDS = [
  'productTitle',
  'skuTitle',
  'region',
  'location',
  'tags',
  'unitOfMeasure',
  'termDuration',
  'billingPlan',
  'priceType',
] as const;
export type IndexedField = (typeof INDEXED_FIELDS)[number];

/** Encoded values longer than this name their term partition by a digest (a partition key holds at most 1 KiB). */
const LONG_VALUE = 200;

export const valuesPartition = (market: string, view: PriceView, field: IndexedField) => `${market}|${view}|${field}|v`;

/** A folded value as an item of its field's values set, and back. */
export const valueItem = (folded: string) => `=${enc(folded)}`;
export const valueOfItem = (item: string) => decodeURIComponent(item.slice(1));

/** A folded value's term partition. */
export function termPartition(market: string, view: PriceView, field: IndexedField, folded: string): string {
  const key = enc(folded);
  const name = key.length <= LONG_VALUE ? `t${key}` : `h${createHash('sha1').update(folded).digest('hex')}`;
  return `${market}|${view}|${field}|${name}`;
}

/** The unit a row's versions are read with. */
export function unitOf(row: Pick<PriceRow, 'meterId' | 'productId'>): string {
  return isMetered(row) ? `m:${meterOf(row)}` : `p:${enc(row.productId)}`;
}

/** A row's indexed values, folded, in INDEXED_FIELDS order (region and location as region.ts derives them). */
export function indexedValues(row: PriceRow): string[] {
  // Read from the row and the derived region, not from a copy of the row merged with it (one per row).
  const derived = regionOf(row);
  return INDEXED_FIELDS.map((field) =>
    fold((field === 'region' || field === 'location' ? derived[field] : row[field]) ?? ''),
  );
}

/** A row's line in an ingest's search spool: its unit, then its indexed values (searchWrites.ts reads it). */
export const searchLine = (unit: string, values: string[]) => JSON.stringify([unit, ...values]);

/** One field's entries gathered from rows: each (folded) value and the units holding it. */
export type FieldEntries = Map<string, Set<string>>;

/** Adds a row's entry for one field; returns how many index items are new (its value's, its unit's). */
export function addFieldEntry(entries: FieldEntries, value: string, unit: string): number {
  let units = entries.get(value);
  const newValue = units ? 0 : 1;
  if (!units) entries.set(value, (units = new Set()));
  const before = units.size;
  return newValue + units.add(unit).size - before;
}

/** The index sets of one field's entries, by partition: the field's values, then each value's term. */
export function searchSets(
  q: { market: string; view: PriceView },
  field: IndexedField,
  entries: FieldEntries,
): [partitionKey: string, items: Set<string>][] {
  const values = new Set([...entries.keys()].map(valueItem));
  const terms = [...entries].map(([value, units]): [string, Set<string>] => [
    termPartition(q.market, q.view, field, value),
    units,
  ]);
  return [[valuesPartition(q.market, q.view, field), values], ...terms];
}

/** Whether the market and view have a search index (every ingest writes its values of productTitle). */
export async function hasSearchIndex(table: TableClient, q: { market: string; view: PriceView }): Promise<boolean> {
  return (await readPackedSet(table, valuesPartition(q.market, q.view, 'productTitle'))).length > 0;
}

/**
 * The entries of every version stored for a market and view, as `committed` sees them: what an
 * installation upgraded with prices stored before the index existed adds once, at its next ingest
 * (one listing of the market), so that searches find what earlier sheets stored.
 */
export async function* storedSearchEntries(
  prices: TableClient,
  q: { market: string; view: PriceView },
  committed: CommittedRuns,
): AsyncGenerator<[unit: string, values: string[]]> {
  const range = marketViewRange(q.market, q.view);
  const filter = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`;
  for await (const entity of prices.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
    for (const version of versionsOfEntity(entity, committed)) yield [unitOf(version), indexedValues(version)];
}
