import { createHash } from 'node:crypto';
import type { PriceView } from '../config/settings';
import type { PriceRow } from '../domain/priceRow';
import type { Timeline } from '../ports/priceSheetSource';

/**
 * Table keys of price versions, designed for the lookups:
 * - Views priced per meter (Azure plan consumption and reservations): partition
 *   `{market}|{view}|m{first two hex digits of the meter}` and row key starting with the meter id, so a
 *   lookup by meter is one range query and writes spread over 256 partitions.
 * - Rows without a meter (license-based): partition `{market}|{view}|p{productId}`, row key starting
 *   with the SKU, so a product (+SKU) lookup is one range query.
 * The row key ends with the effective start date: one entity per version.
 * A future (preview) list lives beside the current one, under view `{view}~future`: it lists the same
 * versions as the current list and others, and a removal seen in one list must not hide a price of
 * the other. `~` sorts after `|`, so a listing of `{market}|{view}|…` never reaches into it.
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

/** The view part of a partition key: the view itself for the current list. */
export function viewSegment(view: PriceView, timeline: Timeline = 'current'): string {
  return timeline === 'current' ? view : `${view}~${timeline}`;
}

export function meterPartition(market: string, view: PriceView, meterId: string, timeline: Timeline = 'current'): string {
  const meter = meterId.toLowerCase();
  return `${market}|${viewSegment(view, timeline)}|m${enc(meter.slice(0, 2))}`;
}

export function productPartition(market: string, view: PriceView, productId: string, timeline: Timeline = 'current'): string {
  return `${market}|${viewSegment(view, timeline)}|p${enc(productId)}`;
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

export function versionKeys(row: PriceRow, view: PriceView, timeline: Timeline = 'current'): { partitionKey: string; rowKey: string } {
  const tail = [row.termDuration, row.billingPlan, row.currency, row.pricingTierRangeMin ?? '', row.effectiveStartDate].map(enc);
  if (isMetered(row)) {
    return {
      partitionKey: meterPartition(row.market, view, row.meterId, timeline),
      rowKey: [enc(meterOf(row)), enc(row.productId), enc(row.skuId), ...tail].join('|'),
    };
  }
  return {
    partitionKey: productPartition(row.market, view, row.productId, timeline),
    rowKey: [enc(row.skuId), ...tail].join('|'),
  };
}

/** Upper bound of a prefix range query. */
export function prefixEnd(prefix: string): string {
  return `${prefix}\uffff`;
}

/** Compact identity of a version (96 bits) for in-memory diffs of large sheets. */
export function versionHash(partitionKey: string, rowKey: string): string {
  return createHash('sha1').update(partitionKey).update('\n').update(rowKey).digest('base64').slice(0, 16);
}
