import { DECIMAL } from '../core/decimal';

/**
 * The one JSON writer of the HTTP API. Prices and rates are decimal text as published; JSON.parse
 * and JSON.stringify would pass them through binary floats (0.000140 → 0.00014, long rates lose
 * digits). An `ExactNumber` is written as a JSON number with exactly its digits.
 */

class ExactNumber {
  constructor(readonly text: string) {}
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * A decimal text as a JSON number; leading zeros (`007.5`), which JSON forbids, are dropped — the
 * value is unchanged.
 */
export function exact(text: string): ExactNumber {
  if (JSON_NUMBER.test(text)) return new ExactNumber(text);
  const decimal = text.trim();
  if (!DECIMAL.test(decimal)) throw new Error(`"${text}" is not a decimal number`);
  return new ExactNumber(decimal.replace(/^(-?)0+(?=\d)/, '$1'));
}

export const exactOrNull = (text: string | null): ExactNumber | null =>
  text === null || text === '' ? null : exact(text);

/** JSON text of a value tree of plain objects, arrays, strings, numbers, booleans, null and ExactNumbers. */
export function toJson(value: unknown): string {
  if (value instanceof ExactNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(key)}:${toJson(v)}`);
  return `{${parts.join(',')}}`;
}
