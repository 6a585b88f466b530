import type { TableClient } from '@azure/data-tables';
import type { PriceView } from './views';
import { spooledLineBatches } from '../files/spool';
import { mergePackedSet } from '../storage/packedSet';
import { createPool } from '../storage/pool';
import { INDEXED_FIELDS, addFieldEntry, searchSets, type FieldEntries, type IndexedField } from './tables/searchIndex';

/**
 * The search index's share of an ingest (tables/searchIndex.ts): merges the entries of the rows
 * spooled for it (a line per row: its unit, then its values in INDEXED_FIELDS order) into the stored
 * sets.
 *
 * One field at a time, reading the spool once per field: each field's entries of a 200,000-row
 * sheet fit in one flush, so a cold ingest writes each set once, blind (2,593 entities). Gathering
 * every field of 20,000 rows at a time instead rewrote the sets of frequent values, which hold most
 * meters, at every flush: 7,218 entities, each rewrite a read and a write of up to megabytes.
 *
 * Merges run side by side, bounded by the characters of the sets they hold rather than by their
 * number: a frequent value's set (millions of characters at 200,000 rows) costs tens of MB while
 * merged, the thousands of rare values' sets almost nothing.
 */

export interface SearchWriteOptions {
  table: TableClient;
  scope: { market: string; view: PriceView };
  /** False when the market and view hold no data yet: a set this run has not written is absent. */
  mergeStored: boolean;
}

/** Items gathered before they are merged: bounds their memory; one field of a 200,000-row sheet is ~143,000. */
const ITEMS_PER_FLUSH = 150_000;
/** Merges in flight at most, however small their sets. */
const MERGE_CONCURRENCY = 16;
/**
 * Characters of the sets being merged at a time: the largest set of a 200,000-row sheet (5.6 million:
 * a value nearly every meter has) with small ones beside it. Merging 16 sets at a time whatever their
 * size, a cold 200,000-row ingest peaked at 288 MB RSS.
 */
const MERGE_CHARS = 8_000_000;
/**
 * A set another run may have written counts as this big, with what is added to it: two at a time,
 * whatever they hold (as many as were merged at a time before their sizes were counted).
 */
const UNKNOWN_SET_CHARS = MERGE_CHARS / 2;

/** Writes the spooled entries; returns the entities written. */
export async function writeSearchIndex(file: string, options: SearchWriteOptions): Promise<number> {
  const pool = createPool(MERGE_CONCURRENCY, MERGE_CHARS);
  // Characters of each set this run wrote (at most: an item it adds again counts twice).
  const written = new Map<string, number>();
  let entities = 0;
  let pending: FieldEntries = new Map();
  let items = 0;
  const merge = (partitionKey: string, additions: Set<string>) => {
    const ours = written.get(partitionKey);
    const chars = charsOf(additions);
    written.set(partitionKey, (ours ?? 0) + chars);
    const unknown = ours === undefined && options.mergeStored;
    const weight = unknown ? Math.max(UNKNOWN_SET_CHARS, chars) : (ours ?? 0) + chars;
    const write = () => mergePackedSet(options.table, partitionKey, additions, unknown || ours !== undefined);
    return pool.run(write, weight);
  };
  const flush = async (field: IndexedField) => {
    if (pending.size === 0) return;
    const sets = searchSets(options.scope, field, pending);
    const counts = await Promise.all(sets.map(([partitionKey, additions]) => merge(partitionKey, additions)));
    entities += counts.reduce((a, b) => a + b, 0);
    pending = new Map();
    items = 0;
  };
  for (const [i, field] of INDEXED_FIELDS.entries()) {
    for await (const lines of spooledLineBatches(file))
      for (const line of lines) {
        const row = JSON.parse(line) as string[];
        items += addFieldEntry(pending, row[i + 1], row[0]);
        if (items >= ITEMS_PER_FLUSH) await flush(field);
      }
    await flush(field);
  }
  return entities;
}

/** The characters a set of items takes packed (one separator each). */
const charsOf = (items: Set<string>) => {
  let chars = 0;
  for (const item of items) chars += item.length + 1;
  return chars;
};
