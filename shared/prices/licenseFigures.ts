import Decimal from 'decimal.js';
import { plainDecimal } from '../core/decimal';
import type { PriceRow } from './row';

/**
 * Figures a partner reads off a new-commerce license-based price:
 * - `UnitPrice` covers the whole term whatever the billing plan (a P1Y price is for 12 months, billed
 *   once or as twelve equal instalments), so the monthly equivalent is UnitPrice ÷ months of the term.
 * - `ERP Price` is the estimated retail price for the same term, so the partner margin is
 *   ERP − UnitPrice (per term, like both prices) and (ERP − UnitPrice) ÷ ERP × 100.
 *
 * Precision, decided once here:
 * - monthly equivalent: a P1M price as published; a longer term's quotient rounded half-up to 4 decimal
 *   places (a division by 12 or 36 rarely ends; 4 places keep the sub-cent differences the sheets
 *   carry without pretending to be an invoice amount);
 * - margin amount: exact (a difference of two published decimals needs no rounding);
 * - margin percent: rounded half-up to 2 decimal places.
 * All three are plain decimal text without exponent or trailing zeros ("4", "12.5", "-0.33").
 */

export interface LicenseFigures {
  monthlyUnitPrice: string;
  /** null when the row has no ERP price or an ERP price of 0 (trials, free SKUs). */
  marginAmount: string | null;
  marginPercent: string | null;
}

// Own constructor: enough significant digits that no published price is rounded before the
// documented rounding steps, without changing decimal.js settings for anyone else.
const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

const MONTHLY_PLACES = 4;
const PERCENT_PLACES = 2;

/** ISO 8601 durations made of years and/or months only (P1M, P1Y, P3Y, P6Y, P1Y6M). */
const TERM = /^P(?:(\d+)Y)?(?:(\d+)M)?$/i;

/** Months covered by a license term, or null when the text is not a term of whole months. */
export function termMonths(termDuration: string): number | null {
  const match = TERM.exec(termDuration.trim());
  if (!match || (match[1] === undefined && match[2] === undefined)) return null;
  const months = Number(match[1] ?? 0) * 12 + Number(match[2] ?? 0);
  return months > 0 ? months : null;
}

/**
 * An amount for a term of `months` per month: as it is for one month, else the quotient rounded half-up
 * to 4 decimal places (the precision above); plain decimal text. Quotes use it for every term-priced amount.
 */
export function monthlyEquivalent(amount: string, months: number): string {
  const value = new Dec(amount);
  return plainDecimal(months === 1 ? value : value.div(months).toDecimalPlaces(MONTHLY_PLACES, Dec.ROUND_HALF_UP));
}

/**
 * Monthly equivalent and partner margin of a license-based price; null for rows that are not
 * license-based terms (metered Azure plan rows — reservations also carry P1Y/P3Y but are priced per
 * meter — and terms that are not whole months).
 */
export function licenseFigures(row: PriceRow): LicenseFigures | null {
  if (row.meterId !== '') return null;
  const months = termMonths(row.termDuration);
  if (months === null) return null;

  const unit = new Dec(row.unitPrice);
  const erp = row.erpPrice === null ? null : new Dec(row.erpPrice);
  if (erp === null || erp.isZero()) {
    return { monthlyUnitPrice: monthlyEquivalent(row.unitPrice, months), marginAmount: null, marginPercent: null };
  }
  const margin = erp.minus(unit);
  const percent = margin.div(erp).times(100).toDecimalPlaces(PERCENT_PLACES, Dec.ROUND_HALF_UP);
  return {
    monthlyUnitPrice: monthlyEquivalent(row.unitPrice, months),
    marginAmount: plainDecimal(margin),
    marginPercent: plainDecimal(percent),
  };
}
