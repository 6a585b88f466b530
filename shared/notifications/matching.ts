import Decimal from 'decimal.js';
import type { PriceVersion } from '../prices';
import type { ChangeCode, Filters } from './subscription';

/**
 * Which changes a subscription's filters let through. Market and view are decided once per
 * snapshot (`wantsSnapshot`); product, SKU, tag, code and the CHG threshold per changed price.
 */

export interface ChangedPrice {
  code: Exclude<ChangeCode, 'UNC'>;
  /** ADD: null. CHG: the price in force before (null when only its latest content is known). DEL: the removed price. */
  before: PriceVersion | null;
  /** ADD, CHG: the price now. DEL: null. */
  after: PriceVersion | null;
}

export function wantsSnapshot(filters: Filters, market: string, view: string): boolean {
  return (
    (!filters.markets || filters.markets.includes(market)) && (!filters.views || filters.views.some((v) => v === view))
  );
}

const wantsCode = (filters: Filters, code: ChangeCode) => !filters.codes || filters.codes.includes(code);

export function matches(filters: Filters, change: ChangedPrice): boolean {
  const price = change.after ?? change.before;
  if (!price || !wantsCode(filters, change.code)) return false;
  if (filters.productIds && !filters.productIds.includes(price.productId)) return false;
  if (filters.skuIds && !filters.skuIds.includes(price.skuId)) return false;
  if (filters.tags && !hasTag(price.tags, filters.tags)) return false;
  if (change.code === 'CHG' && filters.changePercent) return passesThreshold(filters.changePercent, change);
  return true;
}

function hasTag(tags: string, wanted: string[]): boolean {
  const own = new Set(tags.split(';').map((tag) => tag.trim().toLowerCase()));
  return wanted.some((tag) => own.has(tag.trim().toLowerCase()));
}

/**
 * `after >= before × (1 + min/100)` for an increase, `after <= before × (1 − min/100)` for a
 * decrease, in decimals (no binary rounding at the boundary). A rise from 0 is an increase of any
 * size. A change whose old price is unknown (republished in place) passes no threshold.
 */
export function passesThreshold(threshold: NonNullable<Filters['changePercent']>, change: ChangedPrice): boolean {
  if (!change.before || !change.after) return false;
  const before = new Decimal(change.before.unitPrice);
  const after = new Decimal(change.after.unitPrice);
  const factor = new Decimal(threshold.min).div(100);
  const rise = after.gt(before) && after.gte(before.times(factor.plus(1)));
  const fall = after.lt(before) && after.lte(before.times(new Decimal(1).minus(factor)));
  if (threshold.direction === 'increase') return rise;
  if (threshold.direction === 'decrease') return fall;
  return rise || fall;
}
