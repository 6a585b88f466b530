import Decimal from 'decimal.js';
import { plainDecimal } from '../core/decimal';

/**
 * From the published price to what the partner pays and what its customer pays. Pure and exact
 * (decimal.js); the only rounding is the rule's, on the customer's price (docs/design.md, "Rounding").
 *
 * Partner-earned credit (PEC): Microsoft credits partners a percentage of Azure plan pay-as-you-go
 * consumption they manage, except Azure reservations, savings plans, Spot VMs and products tagged
 * ThirdParty or sold in the marketplace price list (Partner Center, "Partner earned credit FAQ":
 * https://learn.microsoft.com/partner-center/billing/partner-earned-credit-faq). Partner cost =
 * price × (1 − PEC_PERCENT ÷ 100) for such rows; every other row costs the partner its price.
 */

const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });

export interface PecSubject {
  view: string;
  tags: string;
  /** Retail Prices API rows: `SavingsPlan`, `Reservation`, … (empty for Partner Center sheets). */
  priceType: string;
  skuTitle: string;
  meterType: string;
}

/** Whether a price row earns partner-earned credit (see above). */
export function earnsPec(row: PecSubject): boolean {
  if (row.view !== 'azure_consumption') return false;
  const tags = row.tags.toUpperCase().split(/[,;\s]+/);
  if (tags.includes('THIRDPARTY') || tags.includes('RESERVATION')) return false;
  if (/^(Reservation|SavingsPlan)$/i.test(row.priceType)) return false;
  // Spot VMs are published as consumption meters whose SKU or meter names say "Spot".
  return !/\bSpot\b/i.test(`${row.skuTitle} ${row.meterType}`);
}

/** The partner's cost of a published amount: less the PEC percentage when the row earns it. */
export function partnerCostOf(amount: string, pecPercent: string | null): string {
  if (pecPercent === null) return amount;
  return plainDecimal(new Dec(amount).times(new Dec(100).minus(pecPercent)).div(100));
}

export type Adjustment =
  | { type: 'markupPercent'; percent: string }
  | { type: 'marginPercent'; percent: string }
  | { type: 'fixedPerUnit'; amount: string };

export const ROUNDING_MODES = ['halfUp', 'halfEven', 'up', 'down'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

export interface Rounding {
  /** Decimal places; absent: the currency's minor unit (currencyDecimals). */
  decimals?: number;
  mode: RoundingMode;
}

const MODES: Record<RoundingMode, Decimal.Rounding> = {
  halfUp: Decimal.ROUND_HALF_UP,
  halfEven: Decimal.ROUND_HALF_EVEN,
  // Away from zero / towards zero: prices are not negative, so "up" never lowers a price.
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
};

/**
 * The minor-unit digits of a currency (EUR 2, JPY 0, KWD 3) as the runtime's CLDR data has them
 * (Intl.NumberFormat's currency fraction digits); an unknown code gets 2, CLDR's default.
 */
export function currencyDecimals(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function roundTo(value: string, decimals: number, mode: RoundingMode): string {
  return plainDecimal(new Dec(value).toDecimalPlaces(decimals, MODES[mode]));
}

/**
 * The customer's price of `quantity` units whose partner cost is `partnerCost`, before rounding:
 * markup on cost (cost × (1 + p ÷ 100)), target margin (cost ÷ (1 − p ÷ 100), so that p % of the
 * customer price is margin), or a fixed amount per unit on top of the cost.
 */
export function adjust(partnerCost: string, quantity: string, adjustment: Adjustment): string {
  const cost = new Dec(partnerCost);
  switch (adjustment.type) {
    case 'markupPercent':
      return plainDecimal(cost.times(new Dec(100).plus(adjustment.percent)).div(100));
    case 'marginPercent':
      return plainDecimal(cost.times(100).div(new Dec(100).minus(adjustment.percent)));
    case 'fixedPerUnit':
      return plainDecimal(cost.plus(new Dec(adjustment.amount).times(quantity)));
  }
}
