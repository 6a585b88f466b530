import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import type { PriceView } from '../config/settings';
import { PRICE_FIELDS, type PriceRow } from '../domain/priceRow';
import type { PriceVersion } from '../domain/priceVersion';
import { meterPartition, meterRowPrefix, prefixEnd, productPartition, skuRowPrefix, enc } from './priceKeys';

/** Price versions in Table Storage: entity ⇄ row, and the key/range queries of the lookups. */

export type PriceEntity = TableEntity<Record<string, string>>;

/** Entities store text only (prices stay as published); null fields are left out. */
export function entityOf(row: PriceRow, keys: { partitionKey: string; rowKey: string }, contentHash: string): PriceEntity {
  const entity: PriceEntity = { ...keys, contentHash };
  for (const field of PRICE_FIELDS) {
    const value = row[field];
    if (value !== null && value !== '') entity[field] = value;
  }
  return entity;
}

const NULLABLE = new Set<string>(['pricingTierRangeMin', 'pricingTierRangeMax', 'erpPrice', 'endOfSaleDate']);

export function versionOf(entity: Record<string, unknown>): PriceVersion {
  const version: Record<string, string | null> = {};
  for (const field of PRICE_FIELDS) {
    const value = entity[field];
    version[field] = typeof value === 'string' ? value : NULLABLE.has(field) ? null : '';
  }
  version.removedAsOf = typeof entity.removedAsOf === 'string' ? entity.removedAsOf : null;
  return version as unknown as PriceVersion;
}

async function listRange(table: TableClient, partitionKey: string, prefix: string): Promise<PriceVersion[]> {
  const versions: PriceVersion[] = [];
  const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
  for await (const entity of table.listEntities({ queryOptions: { filter } })) versions.push(versionOf(entity));
  return versions;
}

/** Every stored version of a meter (optionally of one product and SKU): one range query. */
export function versionsByMeter(
  table: TableClient,
  q: { market: string; view: PriceView; meterId: string; productId?: string; skuId?: string },
): Promise<PriceVersion[]> {
  return listRange(table, meterPartition(q.market, q.view, q.meterId), meterRowPrefix(q.meterId, q.productId, q.skuId));
}

/** Every stored version of a product without meters (optionally one SKU): one range query. */
export function versionsByProduct(
  table: TableClient,
  q: { market: string; view: PriceView; productId: string; skuId?: string },
): Promise<PriceVersion[]> {
  return listRange(table, productPartition(q.market, q.view, q.productId), q.skuId === undefined ? '' : skuRowPrefix(q.skuId));
}

/** The partition-key range holding all versions of a market and view (for listings). */
export function marketViewRange(market: string, view: PriceView): { from: string; to: string } {
  const prefix = `${enc(market)}|${view}|`;
  return { from: prefix, to: prefixEnd(prefix) };
}
