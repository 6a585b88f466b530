import { z } from 'zod';
import { parseInstant } from '../core/dates';
import { DECIMAL } from '../core/decimal';

/**
 * The one row schema for every price sheet (Azure plan consumption and reservations, new-commerce
 * license-based, and the Retail Prices API mapped onto it). Field names are the camelCase of the
 * Partner Center column names; prices and tier bounds stay the decimal text as published.
 */

export const PRICE_FIELDS = [
  'productTitle',
  'productId',
  'skuId',
  'skuTitle',
  'publisher',
  'skuDescription',
  'unitOfMeasure',
  'termDuration',
  'billingPlan',
  'market',
  'currency',
  'unitPrice',
  'pricingTierRangeMin',
  'pricingTierRangeMax',
  'effectiveStartDate',
  'effectiveEndDate',
  'meterId',
  'meterType',
  'tags',
  'erpPrice',
  'endOfSaleDate',
  // Retail Prices API data that Partner Center sheets do not have (empty for them).
  'region',
  'location',
  'priceType',
] as const;

/**
 * Fields added after rows were first stored: left out of a row's content hash while empty, so
 * that rows stored before they existed do not all count as changed.
 */
export const LATER_FIELDS: ReadonlySet<PriceField> = new Set<PriceField>(['region', 'location', 'priceType']);

export type PriceField = (typeof PRICE_FIELDS)[number];

/** A row as read from a file: text by field, before validation. */
export type PriceRecord = Partial<Record<PriceField, string>>;

/** One line of a price file as read: a record to validate, or a line that could not be read as a row. */
export type ReadLine = { line: number; record: PriceRecord } | { line: number; error: string };

/** Header names (any case, spaces, BOM) → field. `MeterIds` is the sheet's name for the meter GUID. */
const HEADER_ALIASES: Record<string, PriceField> = {
  meterids: 'meterId',
  erp: 'erpPrice',
};

export function fieldForHeader(header: string): PriceField | undefined {
  const compact = header
    .replace(/^\uFEFF/, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
  return HEADER_ALIASES[compact] ?? PRICE_FIELDS.find((f) => f.toLowerCase() === compact);
}

const text = z
  .string()
  .optional()
  .transform((s) => s?.trim() ?? '');
const requiredText = (what: string) => text.pipe(z.string().min(1, `${what} is empty`));
const decimal = (what: string) => text.pipe(z.string().regex(DECIMAL, `${what} is not a decimal number`));
// One transform rather than a union of '' and a decimal (as optionalInstant): the union took over a
// quarter of the schema's time.
const optionalDecimal = (what: string) =>
  text.transform((s, ctx) => {
    if (s === '') return null;
    if (!DECIMAL.test(s)) {
      ctx.addIssue({ code: 'custom', message: `${what} is not a decimal number` });
      return z.NEVER;
    }
    return s;
  });
const instant = (what: string) =>
  text.transform((s, ctx) => {
    const parsed = parseInstant(s);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message: s === '' ? `${what} is empty` : `${what} "${s}" is not a date` });
      return z.NEVER;
    }
    return parsed;
  });
const optionalInstant = (what: string) =>
  text.transform((s, ctx) => {
    if (s === '') return null;
    const parsed = parseInstant(s);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message: `${what} "${s}" is not a date` });
      return z.NEVER;
    }
    return parsed;
  });

export const priceRowSchema = z
  .object({
    productTitle: text,
    productId: requiredText('ProductId'),
    skuId: requiredText('SkuId'),
    skuTitle: text,
    publisher: text,
    skuDescription: text,
    unitOfMeasure: text,
    termDuration: text,
    billingPlan: text,
    market: text
      .pipe(z.string().regex(/^[A-Za-z]{2}$/, 'Market is not a two-letter code'))
      .transform((s) => s.toUpperCase()),
    currency: text
      .pipe(z.string().regex(/^[A-Za-z]{3}$/, 'Currency is not a three-letter code'))
      .transform((s) => s.toUpperCase()),
    unitPrice: decimal('UnitPrice'),
    pricingTierRangeMin: optionalDecimal('PricingTierRangeMin'),
    pricingTierRangeMax: optionalDecimal('PricingTierRangeMax'),
    effectiveStartDate: instant('EffectiveStartDate'),
    effectiveEndDate: instant('EffectiveEndDate'),
    meterId: text,
    meterType: text,
    tags: text,
    erpPrice: optionalDecimal('ERP Price'),
    endOfSaleDate: optionalInstant('EndofSaleDate'),
    region: text,
    location: text,
    priceType: text,
  })
  .refine((r) => r.effectiveEndDate >= r.effectiveStartDate, {
    message: 'EffectiveEndDate is before EffectiveStartDate',
  });

export type PriceRow = z.output<typeof priceRowSchema>;

export type RowVerdict = { ok: true; row: PriceRow } | { ok: false; reason: string };

export function validatePriceRecord(record: PriceRecord): RowVerdict {
  const parsed = priceRowSchema.safeParse(record);
  if (parsed.success) return { ok: true, row: parsed.data };
  return { ok: false, reason: parsed.error.issues.map((i) => i.message).join('; ') };
}

/** The fields that identify a price (everything but its dates and values), in key order. */
export const PRICE_KEY_FIELDS = [
  'productId',
  'skuId',
  'meterId',
  'termDuration',
  'billingPlan',
  'currency',
  'pricingTierRangeMin',
] as const;
