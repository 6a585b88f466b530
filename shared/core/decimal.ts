import type Decimal from 'decimal.js';

/**
 * Decimal numbers as text. Prices and rates stay the text their source published; arithmetic on
 * them happens in decimal.js (never in floats), and its results are written back with plainDecimal.
 */

/** A decimal number as the sources write one: optional minus, digits, optional fraction and exponent. */
export const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** Plain decimal text: no exponent, no trailing zeros, and never "-0" (it would read as a negative price). */
export function plainDecimal(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}
