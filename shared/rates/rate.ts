import Decimal from 'decimal.js';
import { z } from 'zod';
import { DECIMAL, plainDecimal } from '../core/decimal';

/**
 * Exchange rates as Partner Center publishes them: US dollars per one unit of a currency
 * (`USDPerUnit`), so an amount in X is worth amount × USDPerUnit(X) dollars. Rates stay the decimal
 * text as published; arithmetic happens in decimal.js, never in floats.
 */

export interface ExchangeRate {
  currency: string;
  usdPerUnit: string;
  /** YYYYMM: the month the rate was published for. */
  month: string;
  /** ECB source only: the euro reference rate the USD rate was derived from (units of the currency per EUR). */
  eurRate?: string;
}

export const BASE_CURRENCY = 'USD';

export const currencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 currency code such as EUR');

export const exchangeRateSchema = z.object({
  currency: z.string().trim().toUpperCase().pipe(currencyCodeSchema),
  usdPerUnit: z
    .string()
    .trim()
    .regex(DECIMAL, 'USDPerUnit is not a decimal number')
    .refine((s) => !DECIMAL.test(s) || new Decimal(s).greaterThan(0), 'USDPerUnit must be above 0'),
  month: z
    .string()
    .trim()
    .regex(/^\d{4}(0[1-9]|1[0-2])$/, 'Month is not YYYYMM'),
  eurRate: z.string().optional(),
});

// Enough significant digits that no published rate or price is rounded before the documented step.
const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });

/**
 * How converted prices are rounded, stated in every response that converts: through USD
 * (amount × USDPerUnit(from) ÷ USDPerUnit(to)), then to 10 decimal places, half to even. Ten places
 * keep the smallest published consumption prices (a few millionths of a dollar) meaningful in any
 * currency; a portal rounds to its invoice precision itself.
 */
export const CONVERSION = { via: BASE_CURRENCY, rounding: 'ROUND_HALF_EVEN', decimals: 10 } as const;

export function convertAmount(amount: string, fromUsdPerUnit: string, toUsdPerUnit: string): string {
  const converted = new Dec(amount).times(fromUsdPerUnit).div(toUsdPerUnit);
  return plainDecimal(converted.toDecimalPlaces(CONVERSION.decimals, Dec.ROUND_HALF_EVEN));
}

/**
 * The ECB publishes units of each currency per EUR. USD per unit of X is rate(USD) ÷ rate(X); EUR
 * itself is rate(USD); USD is 1. The quotients are rounded half to even to 17 significant digits,
 * the precision Partner Center's own USDPerUnit values carry (e.g. 0.27224589249009701).
 */
const ECB_SIGNIFICANT_DIGITS = 17;

export function ratesFromEuroReference(
  eurRates: readonly { currency: string; rate: string }[],
  day: string,
): ExchangeRate[] {
  const usd = eurRates.find((r) => r.currency === BASE_CURRENCY);
  if (!usd) throw new Error('the ECB reference rates hold no USD rate: cannot convert them to USD per unit');
  const month = day.slice(0, 7).replace('-', '');
  const rates: ExchangeRate[] = [
    { currency: 'EUR', usdPerUnit: plainDecimal(new Dec(usd.rate)), month, eurRate: '1' },
    { currency: BASE_CURRENCY, usdPerUnit: '1', month, eurRate: usd.rate },
  ];
  for (const { currency, rate } of eurRates) {
    if (currency === BASE_CURRENCY || currency === 'EUR') continue;
    const usdPerUnit = new Dec(usd.rate).div(rate).toSignificantDigits(ECB_SIGNIFICANT_DIGITS, Dec.ROUND_HALF_EVEN);
    rates.push({ currency, usdPerUnit: plainDecimal(usdPerUnit), month, eurRate: rate });
  }
  return rates;
}
