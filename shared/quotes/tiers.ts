import Decimal from 'decimal.js';
import { plainDecimal } from '../core/decimal';

/**
 * Graduated tier pricing as the pricing guide's files imply it (docs/design.md, "Tiers"). Pure and exact.
 *
 * A tier row publishes a lower bound (PricingTierRangeMin) and an upper bound (Max). Only the lower
 * bounds decide: a quantity fills the tiers in order, tier i taking up to (next tier's lower bound −
 * its own) units, the last tier everything left. Measured from the first tier's lower bound, both
 * shapes of the sheets come out right:
 *  - 1–100 / 101–100000 / 100001–…: tier 1 holds 101 − 1 = 100 units, so 101 units cost 100 × tier 1
 *    + 1 × tier 2 (the inclusive bounds of whole units);
 *  - 0 / 51200 / 512000 (many Azure plan rows): tier 1 holds 51200 − 0 units, so the first 51,200 units
 *    are at tier 1 and the 51,201st is the first at tier 2.
 * An empty lower bound on the first tier is its start: 1 when its upper bound is one below the next
 * tier's lower bound (1–100 written as "–100"), else 0. The last tier's upper bound
 * (9223372036854780000 or empty) does not cap the quantity. Rows without any bound are one tier.
 */

export interface TierRow {
  unitPrice: string;
  pricingTierRangeMin: string | null;
  pricingTierRangeMax: string | null;
}

export interface AppliedTier {
  /** The tier's bounds as published (null when the row has none). */
  from: string | null;
  to: string | null;
  quantity: string;
  unitPrice: string;
  amount: string;
}

export interface TieredAmount {
  tiers: AppliedTier[];
  amount: string;
}

const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });

/** The tier rows of one price in order, each with its numeric lower bound. */
function ordered<T extends TierRow>(rows: readonly T[]): { row: T; start: Decimal }[] {
  const byMin = [...rows].sort((a, b) =>
    a.pricingTierRangeMin === null
      ? -1
      : b.pricingTierRangeMin === null
        ? 1
        : new Dec(a.pricingTierRangeMin).cmp(b.pricingTierRangeMin),
  );
  return byMin.map((row, i) => {
    if (row.pricingTierRangeMin !== null) return { row, start: new Dec(row.pricingTierRangeMin) };
    const next = byMin[i + 1]?.pricingTierRangeMin;
    const inclusive =
      next !== undefined &&
      next !== null &&
      row.pricingTierRangeMax !== null &&
      new Dec(row.pricingTierRangeMax).plus(1).eq(next);
    return { row, start: new Dec(inclusive ? 1 : 0) };
  });
}

/**
 * The amount of `quantity` units over the tier rows of one price: each tier with the quantity it takes
 * (tiers that take nothing are left out, so a quantity of 0 has no tiers and amount 0).
 */
export function tieredAmount(rows: readonly TierRow[], quantity: string): TieredAmount {
  if (rows.length === 0) throw new Error('a price needs at least one tier row');
  const tiers = ordered(rows);
  let left = new Dec(quantity);
  let total = new Dec(0);
  const applied: AppliedTier[] = [];
  for (let i = 0; i < tiers.length && left.gt(0); i++) {
    const { row, start } = tiers[i];
    const next = tiers[i + 1];
    const capacity = next ? next.start.minus(start) : null;
    const taken = capacity === null || left.lte(capacity) ? left : capacity;
    const amount = taken.times(row.unitPrice);
    applied.push({
      from: row.pricingTierRangeMin,
      to: row.pricingTierRangeMax,
      quantity: plainDecimal(taken),
      unitPrice: row.unitPrice,
      amount: plainDecimal(amount),
    });
    total = total.plus(amount);
    left = left.minus(taken);
  }
  return { tiers: applied, amount: plainDecimal(total) };
}
