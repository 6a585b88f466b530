import { hash } from 'node:crypto';
import type { PriceView } from '../views';
import type { PriceRow } from '../row';

/**
 * Keys of price versions, designed for the lookups:
 * - Views priced per meter (Azure plan consumption and reservations): partition
 *   `{market}|{view}|m{first two hex digits of the meter}`, version key starting with the meter id;
 *   all versions of a meter live in one entity whose row key is the meter id (see priceTable), so a
 *   lookup by meter is one point read and writes spread over 256 partitions.
 * - Rows without a meter (license-based): partition `{market}|{view}|p{productId}`, row key starting
 *   with the SKU (one entity per version), so a product (+SKU) lookup is one range query.
 * A version key ends with the effective start date.
 * User-supplied parts are URI-encoded: keys may not contain / \ # ? or control characters, and `|`
 * separates parts.
 */

export const enc = (s: string): string => encodeURIComponent(s);

export function meterOf(row: Pick<PriceRow, 'meterId'>): string {
  return row.meterId.toLowerCase();
}

export function isMetered(row: Pick<PriceRow, 'meterId'>): boolean {
  return row.meterId !== '';
}

export function meterPartition(market: string, view: PriceView, meterId: string): string {
  const meter = meterId.toLowerCase();
  return `${market}|${view}|m${enc(meter.slice(0, 2))}`;
}

export function productPartition(market: string, view: PriceView, productId: string): string {
  return `${market}|${view}|p${enc(productId)}`;
}

/** Row-key prefix of every version of a meter (optionally narrowed to a product and SKU). */
export function meterRowPrefix(meterId: string, productId?: string, skuId?: string): string {
  const parts = [enc(meterId.toLowerCase())];
  if (productId !== undefined) parts.push(enc(productId));
  if (productId !== undefined && skuId !== undefined) parts.push(enc(skuId));
  return `${parts.join('|')}|`;
}

export function skuRowPrefix(skuId: string): string {
  return `${enc(skuId)}|`;
}

export function versionKeys(row: PriceRow, view: PriceView): { partitionKey: string; rowKey: string } {
  const tail = [
    row.termDuration,
    row.billingPlan,
    row.currency,
    row.pricingTierRangeMin ?? '',
    row.effectiveStartDate,
  ].map(enc);
  if (isMetered(row)) {
    return {
      partitionKey: meterPartition(row.market, view, row.meterId),
      rowKey: [enc(meterOf(row)), enc(row.productId), enc(row.skuId), ...tail].join('|'),
    };
  }
  return {
    partitionKey: productPartition(row.market, view, row.productId),
    rowKey: [enc(row.skuId), ...tail].join('|'),
  };
}

/** A version's row key without its last part (the effective start date): the same for every version of a price. */
export function priceKeyPrefix(rowKey: string): string {
  return rowKey.slice(0, rowKey.lastIndexOf('|') + 1);
}

/** The digest identifying a version (SHA-1 of its keys) for in-memory diffs of large sheets. */
export function versionDigest(partitionKey: string, rowKey: string): Buffer {
  // One-shot: the same digest as createHash().update().digest() at half the CPU (no Hash object); an
  // ingest takes three per row.
  return hash('sha1', `${partitionKey}\n${rowKey}`, 'buffer');
}

/** Compact identity of a version as text (96 bits of its digest). */
export function versionHash(partitionKey: string, rowKey: string): string {
  return versionDigest(partitionKey, rowKey).toString('base64').slice(0, 16);
}
