import { odata, type TableClient } from '@azure/data-tables';
import { statusOf } from './errors';
import type { PriceView } from '../config/settings';
import { enc } from './priceKeys';

/**
 * For views priced per meter, prices are partitioned by meter; this index answers "which meters
 * does product P (SKU S) have" with one range query. One entity per (market, view, product, SKU)
 * holds its meter ids, so a cold ingest adds only a few percent of writes, and it is append-only:
 * a meter once seen stays findable for lookups of earlier dates.
 */

const CHUNK_CHARS = 30000; // a string property holds at most 64 KiB (32K UTF-16 characters)

const partitionOf = (market: string, view: PriceView, productId: string) => `${market}|${view}|${enc(productId)}`;

export type ProductMeters = Map<string, Map<string, Set<string>>>; // productId → skuId → meter ids

export function addProductMeter(index: ProductMeters, productId: string, skuId: string, meterId: string): void {
  let skus = index.get(productId);
  if (!skus) index.set(productId, (skus = new Map()));
  let meters = skus.get(skuId);
  if (!meters) skus.set(skuId, (meters = new Set()));
  meters.add(meterId.toLowerCase());
}

function metersFromEntity(entity: Record<string, unknown>): string[] {
  const parts: string[] = [];
  for (let i = 0; typeof entity[`meters${i}`] === 'string'; i++) parts.push(entity[`meters${i}`] as string);
  return parts.join(' ').split(' ').filter((m) => m !== '');
}

function entityProps(meters: string[]): Record<string, string> {
  const props: Record<string, string> = {};
  let chunk = '';
  let i = 0;
  for (const meter of meters) {
    if (chunk.length + meter.length + 1 > CHUNK_CHARS) {
      props[`meters${i++}`] = chunk;
      chunk = '';
    }
    chunk = chunk ? `${chunk} ${meter}` : meter;
  }
  props[`meters${i}`] = chunk;
  return props;
}

/** Adds meters to the index; writes only the (product, SKU) entries that gained a meter. Returns entities written. */
export async function mergeProductMeters(
  table: TableClient,
  market: string,
  view: PriceView,
  additions: ProductMeters,
  run: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<number> {
  let written = 0;
  const tasks: Promise<void>[] = [];
  for (const [productId, skus] of additions) {
    for (const [skuId, meters] of skus) {
      tasks.push(
        run(async () => {
          const partitionKey = partitionOf(market, view, productId);
          const rowKey = enc(skuId);
          let existing: string[] = [];
          try {
            existing = metersFromEntity(await table.getEntity(partitionKey, rowKey));
          } catch (e) {
            if (statusOf(e) !== 404) throw e;
          }
          const merged = new Set(existing);
          for (const m of meters) merged.add(m);
          if (merged.size === existing.length) return;
          await table.upsertEntity({ partitionKey, rowKey, ...entityProps([...merged].sort()) }, 'Replace');
          written++;
        }),
      );
    }
  }
  await Promise.all(tasks);
  return written;
}

/** The meters of a product (optionally one SKU), sorted by SKU then meter. */
export async function metersOfProduct(
  table: TableClient,
  q: { market: string; view: PriceView; productId: string; skuId?: string },
): Promise<{ skuId: string; meterId: string }[]> {
  const partitionKey = partitionOf(q.market, q.view, q.productId);
  const filter =
    q.skuId === undefined
      ? odata`PartitionKey eq ${partitionKey}`
      : odata`PartitionKey eq ${partitionKey} and RowKey eq ${enc(q.skuId)}`;
  const result: { skuId: string; meterId: string }[] = [];
  for await (const entity of table.listEntities({ queryOptions: { filter } })) {
    const skuId = decodeURIComponent(entity.rowKey as string);
    for (const meterId of metersFromEntity(entity)) result.push({ skuId, meterId });
  }
  return result;
}
