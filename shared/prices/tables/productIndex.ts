import type { TableClient } from '@azure/data-tables';
import { odata } from '../../storage/sdk';
import type { PriceView } from '../views';
import { statusOf } from '../../storage/errors';
import { enc } from './keys';

/**
 * For views priced per meter, prices are partitioned by meter; this index answers "which meters
 * does product P (SKU S) have" with one range query. It is packed — one entity per product
 * holding its `sku meter` pairs — so a cold ingest adds about one write per product (~1 % of rows)
 * rather than one per meter, and it is append-only: a meter once seen stays findable for lookups
 * of earlier dates. Updates use ETags, so concurrent writers never lose each other's meters.
 */

// A string property holds at most 64 KiB (32K UTF-16 characters); an entity at most 1 MiB.
const PROPERTY_CHARS = 30_000;
const PROPERTIES_PER_ENTITY = 14;
const MAX_ATTEMPTS = 5;

const partitionOf = (market: string, view: PriceView, productId: string) => `${market}|${view}|${enc(productId)}`;
const rowKeyOf = (chunk: number) => String(chunk).padStart(4, '0');

export type ProductMeters = Map<string, Set<string>>; // productId → "skuId meterId" pairs

export function addProductMeter(index: ProductMeters, productId: string, skuId: string, meterId: string): void {
  let pairs = index.get(productId);
  if (!pairs) index.set(productId, (pairs = new Set()));
  pairs.add(`${enc(skuId)} ${meterId.toLowerCase()}`);
}

interface StoredPairs {
  pairs: string[];
  etags: Map<string, string>;
}

async function readPairs(table: TableClient, partitionKey: string): Promise<StoredPairs> {
  const pairs: string[] = [];
  const etags = new Map<string, string>();
  const filter = odata`PartitionKey eq ${partitionKey}`;
  for await (const entity of table.listEntities({ queryOptions: { filter } })) {
    etags.set(entity.rowKey as string, entity.etag);
    for (let i = 0; typeof entity[`p${i}`] === 'string'; i++) {
      for (const line of (entity[`p${i}`] as string).split('\n')) if (line) pairs.push(line);
    }
  }
  return { pairs, etags };
}

/** Sorted pairs → entities of up to PROPERTIES_PER_ENTITY properties of up to PROPERTY_CHARS each. */
type IndexEntity = { partitionKey: string; rowKey: string } & Record<string, string>;

function packEntities(partitionKey: string, pairs: string[]): IndexEntity[] {
  const entities: IndexEntity[] = [];
  let entity: IndexEntity = { partitionKey, rowKey: rowKeyOf(0) };
  let property = 0;
  let text = '';
  const closeProperty = () => {
    entity[`p${property++}`] = text;
    text = '';
    if (property === PROPERTIES_PER_ENTITY) {
      entities.push(entity);
      entity = { partitionKey, rowKey: rowKeyOf(entities.length) };
      property = 0;
    }
  };
  for (const pair of pairs) {
    if (text.length + pair.length + 1 > PROPERTY_CHARS) closeProperty();
    text = text ? `${text}\n${pair}` : pair;
  }
  if (text || property === 0) closeProperty();
  if (property > 0) entities.push(entity);
  return entities;
}

async function mergeOne(
  table: TableClient,
  partitionKey: string,
  additions: Set<string>,
  hasIndex: boolean,
): Promise<number> {
  if (!hasIndex) {
    const entities = packEntities(partitionKey, [...additions].sort());
    for (const entity of entities) await table.upsertEntity(entity, 'Replace');
    return entities.length;
  }
  for (let attempt = 1; ; attempt++) {
    const stored = await readPairs(table, partitionKey);
    const merged = new Set(stored.pairs);
    for (const pair of additions) merged.add(pair);
    if (merged.size === stored.pairs.length) return 0;
    const entities = packEntities(partitionKey, [...merged].sort());
    try {
      for (const entity of entities) {
        const etag = stored.etags.get(entity.rowKey);
        if (etag) await table.updateEntity(entity, 'Replace', { etag });
        else await table.createEntity(entity);
      }
      return entities.length;
    } catch (e) {
      // 412: changed since we read it; 409: created meanwhile. Read again and merge again.
      const status = statusOf(e);
      if ((status !== 412 && status !== 409) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
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
      run(() => mergeOne(table, partitionOf(q.market, q.view, productId), pairs, q.stored)),
    ),
  );
  return written.reduce((a, b) => a + b, 0);
}

/** The meters of a product (optionally one SKU), sorted by SKU then meter. */
export async function metersOfProduct(
  table: TableClient,
  q: { market: string; view: PriceView; productId: string; skuId?: string },
): Promise<{ skuId: string; meterId: string }[]> {
  const { pairs } = await readPairs(table, partitionOf(q.market, q.view, q.productId));
  const wanted = q.skuId === undefined ? null : enc(q.skuId);
  return pairs
    .map((pair) => pair.split(' '))
    .filter(([sku]) => wanted === null || sku === wanted)
    .sort(([a, m], [b, n]) => (a === b ? m.localeCompare(n) : a.localeCompare(b)))
    .map(([sku, meterId]) => ({ skuId: decodeURIComponent(sku), meterId }));
}
