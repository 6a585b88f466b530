import type { TableClient } from '@azure/data-tables';
import type { PriceView } from '../views';
import { mergePackedSet, readPackedSet } from '../../storage/packedSet';
import { enc } from './keys';

/**
 * For views priced per meter, prices are partitioned by meter; this index answers "which meters
 * does product P (SKU S) have" with one range query. It is packed — one entity per product
 * holding its `sku meter` pairs — so a cold ingest adds about one write per product (~1 % of rows)
 * rather than one per meter, and it is append-only: a meter once seen stays findable for lookups
 * of earlier dates. Updates use ETags, so concurrent writers never lose each other's meters.
 */

/** The index partition of a product. */
export const productIndexPartition = (market: string, view: PriceView, productId: string) =>
  `${market}|${view}|${enc(productId)}`;

export type ProductMeters = Map<string, Set<string>>; // productId → "skuId meterId" pairs

/** A meter's line in an ingest's product index spool (writes.ts reads it back). */
export const meterIndexLine = (row: { productId: string; skuId: string; meterId: string }) =>
  JSON.stringify([row.productId, row.skuId, row.meterId]);

export function addProductMeter(index: ProductMeters, productId: string, skuId: string, meterId: string): void {
  let pairs = index.get(productId);
  if (!pairs) index.set(productId, (pairs = new Set()));
  pairs.add(`${enc(skuId)} ${meterId.toLowerCase()}`);
}

/**
 * Adds meters to the index; writes only products that gained a meter. Returns entities written.
 * `stored` false says the market and view have no index yet (their first snapshot): entries are
 * then written without reading them first.
 */
export async function mergeProductMeters(
  table: TableClient,
  q: { market: string; view: PriceView; stored: boolean },
  additions: ProductMeters,
  run: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const written = await Promise.all(
    [...additions].map(([productId, pairs]) =>
      run(() => mergePackedSet(table, productIndexPartition(q.market, q.view, productId), pairs, q.stored)),
    ),
  );
  return written.reduce((a, b) => a + b, 0);
}

/** The meters of a product (optionally one SKU), sorted by SKU then meter. */
export async function metersOfProduct(
  table: TableClient,
  q: { market: string; view: PriceView; productId: string; skuId?: string },
): Promise<{ skuId: string; meterId: string }[]> {
  return metersOfPairs(await readPackedSet(table, productIndexPartition(q.market, q.view, q.productId)), q.skuId);
}

/** The meters a product's stored pairs name (optionally of one SKU), sorted by SKU then meter. */
export function metersOfPairs(pairs: readonly string[], skuId?: string): { skuId: string; meterId: string }[] {
  const wanted = skuId === undefined ? null : enc(skuId);
  return pairs
    .map((pair) => pair.split(' '))
    .filter(([sku]) => wanted === null || sku === wanted)
    .sort(([a, m], [b, n]) => (a === b ? m.localeCompare(n) : a.localeCompare(b)))
    .map(([sku, meterId]) => ({ skuId: decodeURIComponent(sku), meterId }));
}
