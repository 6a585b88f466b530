import Decimal from 'decimal.js';
import { plainDecimal } from '../core/decimal';

/**
 * Sums and per-hour figures of quotes. Pure and exact.
 *
 * Hours of a reservation term: 730 a month (365 × 24 ÷ 12), the month Azure's pricing pages and
 * calculator state monthly estimates in ("based on 730 hours of usage per month"), so P1Y = 8,760 h
 * and P3Y = 26,280 h whatever the leap days in the term.
 * Per-hour figures are rounded half-up to 6 decimal places: the precision of Azure plan hourly meters
 * (0.096000).
 */

const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });

export const HOURS_PER_MONTH = 730;
const HOURLY_PLACES = 6;

export const termHours = (months: number): number => months * HOURS_PER_MONTH;

export function perHour(amount: string, hours: number): string {
  return plainDecimal(new Dec(amount).div(hours).toDecimalPlaces(HOURLY_PLACES, Dec.ROUND_HALF_UP));
}

export function sumOf(values: readonly string[]): string {
  return plainDecimal(values.reduce((sum, value) => sum.plus(value), new Dec(0)));
}
