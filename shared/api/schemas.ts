import { z } from 'zod';
import { priceViewSchema } from '../prices/views';
import { parseDay, parseInstant, startOfDay } from '../core/dates';
import { currencyCodeSchema } from '../rates/rate';
import { freshnessSchema } from './freshness';

/**
 * The query and response schemas of the HTTP API: the queries are validated with these, and the
 * OpenAPI document is generated from the same objects (shared/api/openapi).
 */

const upper = (s: string) => s.toUpperCase();

const market = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'a two-letter market code such as US')
  .transform(upper)
  .meta({ description: 'Two-letter market (country) code, e.g. US, DE.', example: 'US' });

const view = priceViewSchema.default('azure_consumption').meta({ description: 'Partner Center price sheet view.' });

const currency = (description: string) =>
  z.string().transform(upper).pipe(currencyCodeSchema).meta({ description, example: 'EUR' });

/**
 * Identifiers and codes as published; any printable text (it only ever reaches storage as a key part
 * or an escaped filter value).
 */
const text = (description: string, example: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(100, 'at most 100 characters')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
    // No identifier has one, and the storage keys cut values by UTF-16 code unit (a pair cut in half is no text).
    .regex(/^[^\ud800-\udfff]*$/, 'must not contain characters outside the Basic Multilingual Plane (such as emoji)')
    .meta({ description, example });

const ISO_DAY_OR_INSTANT = 'an ISO 8601 date (2026-11-01) or UTC date-time (2026-11-01T12:00:00Z)';

/** A date alone means 00:00 UTC that day; a date-time with an offset is taken to UTC. Normalized instant, or null. */
function isoInstantOf(s: string): string | null {
  const day = parseDay(s);
  if (day) return startOfDay(day);
  return /^\d{4}-\d{2}-\d{2}T/.test(s) ? parseInstant(s) : null;
}

const dateParameter = <T>(toValue: (instant: string) => T) =>
  z.string().transform((s, ctx) => {
    const parsed = isoInstantOf(s);
    if (parsed !== null) return toValue(parsed);
    ctx.addIssue({ code: 'custom', message: `must be ${ISO_DAY_OR_INSTANT}` });
    return z.NEVER;
  });

/** Output: the normalized instant (`…T00:00:00.0000000Z` for a date alone). */
const instant = (description: string) =>
  dateParameter((i) => i).meta({ description: `${description} Format: ${ISO_DAY_OR_INSTANT}.`, example: '2026-11-01' });

/** Output: the UTC day `YYYY-MM-DD`. */
const day = (description: string) =>
  dateParameter((i) => i.slice(0, 10)).meta({
    description: `${description} Format: ${ISO_DAY_OR_INSTANT}; only its (UTC) day counts.`,
    example: '2026-11-01',
  });

const MAX_TOP = 1000;

const topMessage = `must be a whole number from 1 to ${MAX_TOP}`;
const top = z.coerce
  .number({ error: topMessage })
  .int(topMessage)
  .min(1, topMessage)
  .max(MAX_TOP, topMessage)
  .default(100)
  .meta({ description: `Items per page (per list for price changes), 1–${MAX_TOP}.` });

const continuationToken = z
  .string()
  .max(4000, 'is not a continuation token')
  .meta({ description: 'The `continuationToken` of the previous page, as received (opaque).' });

export const pricesQuerySchema = z.strictObject({
  market,
  view,
  meterId: text('Meter GUID (MeterIds column). One point read.', '50b363d1-feb5-1b7f-a847-bf36ef64b78c').optional(),
  productId: text('Product id. Key/range queries through the product index.', 'DZH318Z0BQ4L').optional(),
  skuId: text('SKU id.', '0001').optional(),
  termDuration: text('Term, e.g. P1M, P1Y, P3Y.', 'P1Y').optional(),
  billingPlan: text('Billing plan (license-based): Monthly, Annual, None.', 'Monthly').optional(),
  currency: currency('Only prices published in this currency.').optional(),
  $filter: z
    .string()
    .min(1, 'is empty')
    .meta({
      description:
        "Search: the Azure Retail Prices API's filter subset — eq, ne, and, or, parentheses, contains(field, '…'), " +
        "startswith(field, '…') — over text fields, values in single quotes ('' for a quote), compared " +
        'case-insensitively. Fields: ours (productTitle, skuTitle, region, location, tags, unitOfMeasure, termDuration, ' +
        "billingPlan, priceType, …) or the Retail API's (productName, skuName, armRegionName, currencyCode, type).",
      example: "armRegionName eq 'eastus' and contains(productName, 'Virtual Machines')",
    })
    .optional(),
  date: instant(
    'The instant whose prices are wanted (default: now). ' +
      'The overlap rule of the pricing guide picks one version per price.',
  ).optional(),
  convertTo: currency(
    'Adds `converted` to each item: the price in this currency with the exchange rates in force on `date`.',
  ).optional(),
  top,
  continuationToken: continuationToken.optional(),
});
export type PricesQuery = z.output<typeof pricesQuerySchema>;

const FUTURE = 'future';

export const priceChangesQuerySchema = z.strictObject({
  market,
  view,
  from: day('The earlier date: the snapshot in force on it (the latest on or before it) is compared.'),
  to: z.union([z.literal(FUTURE), day('The later date.')]).meta({
    description:
      `The later date (${ISO_DAY_OR_INSTANT}), or \`future\`: compare the current price list in force on \`from\` ` +
      'with the future price list fetched on or before `from` (updatedlicensebased, refreshed with --timeline future).',
    example: '2026-11-02',
  }),
  top,
  continuationToken: continuationToken.optional(),
});
export type PriceChangesQuery = z.output<typeof priceChangesQuerySchema>;

export const exchangeRatesQuerySchema = z.strictObject({
  date: day('The rates in force on this day: the latest fetch on or before it (default: today, UTC).').optional(),
  currency: currency('Only this currency (404 RateNotFound when it has no rate that day).').optional(),
});
export type ExchangeRatesQuery = z.output<typeof exchangeRatesQuerySchema>;

// ---- Responses (for the OpenAPI document; prices and rates are JSON numbers with their published digits) ----

const decimal = z
  .number()
  .meta({ description: 'A decimal number written with exactly the digits published (e.g. 0.000140).' });
const isoInstant = z
  .string()
  .meta({ description: 'ISO 8601 UTC instant with seven fraction digits.', example: '2021-11-03T06:57:30.0682597Z' });

const convertedSchema = z.object({
  currency: z.string(),
  unitPrice: decimal,
  usdPerUnit: decimal.meta({ description: 'USD per unit of the target currency, as published.' }),
  fromUsdPerUnit: decimal.meta({ description: 'USD per unit of the price currency, as published (1 for USD).' }),
  rateDate: z.string().meta({ description: 'As-of day of the exchange-rate fetch used.' }),
  source: z.string(),
});

const priceItemSchema = z
  .object({
    productTitle: z.string(),
    productId: z.string(),
    skuId: z.string(),
    skuTitle: z.string(),
    publisher: z.string(),
    skuDescription: z.string(),
    unitOfMeasure: z.string(),
    termDuration: z.string(),
    billingPlan: z.string(),
    market: z.string(),
    currency: z.string(),
    unitPrice: decimal,
    pricingTierRangeMin: decimal.nullable(),
    pricingTierRangeMax: decimal.nullable(),
    effectiveStartDate: isoInstant,
    effectiveEndDate: isoInstant,
    meterId: z.string(),
    meterType: z.string(),
    tags: z.string(),
    erpPrice: decimal.nullable(),
    region: z.string().meta({
      description: 'Retail Prices API only: the armRegionName of the meter (e.g. eastus); empty for Partner Center.',
    }),
    location: z.string().meta({
      description: 'Retail Prices API only: the region as displayed (e.g. US East); empty for Partner Center.',
    }),
    priceType: z.string().meta({
      description:
        'Retail Prices API only: Consumption, Reservation, DevTestConsumption or SavingsPlan (a savings-plan ' +
        'price of the meter, its term in termDuration); empty for Partner Center.',
    }),
    endOfSaleDate: isoInstant.nullable().optional().meta({ description: 'updatedlicensebased only.' }),
    monthlyUnitPrice: decimal.optional().meta({
      description: 'updatedlicensebased only: UnitPrice per month of the term (P1Y ÷ 12, P3Y ÷ 36, P1M as is).',
    }),
    marginAmount: decimal
      .nullable()
      .optional()
      .meta({ description: 'updatedlicensebased only: ERP Price − UnitPrice (null without an ERP price).' }),
    marginPercent: decimal
      .nullable()
      .optional()
      .meta({ description: 'updatedlicensebased only: margin as a percentage of the ERP price.' }),
    converted: convertedSchema.optional(),
  })
  .meta({ id: 'PriceItem' });

const conversionSchema = z.object({
  to: z.string(),
  via: z.literal('USD'),
  rounding: z.literal('ROUND_HALF_EVEN'),
  decimals: z.number(),
  rateDate: z.string(),
  source: z.string(),
});

/** Formats of GET /api/prices/export. */
export const exportFormatSchema = z.enum(['csv', 'xlsx']);

export const priceExportQuerySchema = z.strictObject({
  market,
  view,
  date: instant('The instant whose price list is exported (default: now).').optional(),
  currency: currency(
    'Adds the price converted to this currency, and computes partner cost and customer price in it.',
  ).optional(),
  customer: text('The customer whose price rules give the customer price.', 'contoso').optional(),
  customerGroup: text("The customer's group (its rules apply too).", 'gold').optional(),
  format: exportFormatSchema.default('csv').meta({ description: 'csv (default) or xlsx.' }),
});
export type PriceExportQuery = z.output<typeof priceExportQuerySchema>;

const nextLink = z.string().nullable().meta({
  format: 'uri',
  description: 'The next page as a full URL (the function key left out); null on the last page.',
});
const pageToken = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `continuationToken` for the next page; null on the last page.' });

export const pricesResponseSchema = z
  .object({
    market: z.string(),
    view: z.string(),
    asOf: isoInstant.meta({ description: 'The instant the prices are in force at.' }),
    items: z.array(priceItemSchema),
    continuationToken: pageToken,
    nextLink,
    conversion: conversionSchema.optional(),
    freshness: freshnessSchema,
  })
  .meta({ id: 'PricesResponse' });

export const priceChangesResponseSchema = z
  .object({
    market: z.string(),
    view: z.string(),
    from: z.string(),
    to: z.string(),
    snapshots: z
      .object({ from: z.string(), to: z.string() })
      .meta({ description: 'As-of days of the snapshots compared.' }),
    added: z.array(priceItemSchema.extend({ code: z.literal('ADD') })).meta({
      description: 'New (code ADD): listed on `to` (in the future list), not on `from`.',
    }),
    changed: z
      .array(z.object({ code: z.literal('CHG'), before: priceItemSchema.nullable(), after: priceItemSchema }))
      .meta({
        description:
          'Code CHG: listed on both with another price in force (unit or ERP price); before = null: the same ' +
          'version republished with other content, whose earlier content is not stored.',
      }),
    removed: z.array(priceItemSchema.extend({ code: z.literal('DEL') })).meta({
      description:
        'Code DEL: listed on `from`, not on `to`; with to=future: future rows whose EffectiveEndDate ends availability.',
    }),
    counts: z
      .object({
        added: z.number(),
        removed: z.number(),
        unchanged: z.number(),
        candidates: z.number().meta({ description: 'Prices listed differently on both (checked for a price change).' }),
        ADD: z.number().meta({ description: 'Partner Center code ADD: the same as `added`.' }),
        CHG: z.number().meta({
          description:
            'Partner Center code CHG: the same as `candidates`, at most this many have another price ' +
            '(`changed` holds those that do).',
        }),
        DEL: z.number().meta({ description: 'Partner Center code DEL: the same as `removed`.' }),
        UNC: z.number().meta({ description: 'Partner Center code UNC: the same as `unchanged` (listed the same).' }),
      })
      .meta({ description: "Totals over all pages, also under Partner Center's change codes." }),
    continuationToken: pageToken,
    nextLink,
    freshness: freshnessSchema,
  })
  .meta({ id: 'PriceChangesResponse' });

export const exchangeRatesResponseSchema = z
  .object({
    date: z.string(),
    base: z.literal('USD'),
    rates: z.array(
      z.object({ currency: z.string(), usdPerUnit: decimal, month: z.string(), source: z.string(), asOf: z.string() }),
    ),
    freshness: freshnessSchema,
  })
  .meta({ id: 'ExchangeRatesResponse' });

const runEnd = z.string().meta({ description: 'When the run ended (ISO 8601 UTC).' });
const runId = z.string().meta({ description: 'The run in the run ledger (table `runs`).' });

const healthEntrySchema = z.object({
  market: z.string().meta({ description: 'Two letters; `ALL` for exchange rates.' }),
  view: z.string().meta({ description: 'A price view, or `fxrates` for exchange rates.' }),
  timeline: z.string(),
  lastSuccess: z
    .object({ at: runEnd, asOf: z.string().meta({ description: 'The as-of day it stored.' }), runId })
    .nullable()
    .meta({
      description:
        'The last successful current refresh: a refresh as of the UTC day it ran on. Backfills (a refresh as of ' +
        'an earlier day), ingests and uploads do not count. null: never refreshed.',
    }),
  lastSuccessAt: runEnd.nullable().meta({ description: 'lastSuccess.at (kept for existing clients).' }),
  asOf: z.string().nullable().meta({ description: 'lastSuccess.asOf (kept for existing clients).' }),
  ageHours: z.number().nullable().meta({ description: 'Hours since lastSuccess.at, two decimals.' }),
  stale: z.boolean().meta({ description: 'Never refreshed, or ageHours beyond staleAfterHours.' }),
  lastFailure: z
    .object({
      at: runEnd,
      reason: z.string().meta({ description: "The run's error, first line, at most 300 characters." }),
      runId,
    })
    .nullable()
    .meta({ description: 'The last failed current refresh when it ended after lastSuccess; otherwise null.' }),
});

export const healthResponseSchema = z
  .object({
    status: z.enum(['ok', 'stale', 'unavailable']).meta({
      description: 'stale: a current market/view is stale; unavailable (HTTP 503): storage does not answer.',
    }),
    storage: z.object({ reachable: z.boolean(), mode: z.string(), error: z.string().optional() }),
    staleAfterHours: z.number(),
    prices: z.array(healthEntrySchema).meta({
      description:
        'Every configured market/view (timeline current), and any other with a refresh or failure on record.',
    }),
  })
  .meta({ id: 'HealthResponse' });
