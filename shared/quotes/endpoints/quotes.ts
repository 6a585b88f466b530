import { z } from 'zod';
import type { StorageClients } from '../../storage/clients';
import type { Settings } from '../../config/settings';
import type { Logger } from '../../observability/logger';
import { jsonResponse, runEndpoint, STORAGE_UNAVAILABLE_DOC, type ApiDoc, type ApiResponse } from '../../api/endpoint';
import { readJsonBody } from '../../api/body';
import { exact, exactOrNull } from '../../api/json';
import { MAX_QUOTE_LINES, quote, quoteRequestSchema, type Figures, type Quote } from '../quote';
import { adjustmentSchema } from '../rule';

/** 500 lines of a few hundred bytes each. */
export const MAX_QUOTE_BODY_BYTES = 256 * 1024;

const money = z.number().meta({ description: 'Exact decimal (JSON number with every digit).' });
const figures = { amount: money, partnerCost: money, customerAmount: money };

export const quoteResponseSchema = z
  .object({
    market: z.string(),
    date: z.string(),
    currency: z.string(),
    customer: z.string().nullable(),
    customerGroup: z.string().nullable(),
    lines: z.array(
      z
        .object({
          line: z.number(),
          item: z.object({
            view: z.string(),
            productId: z.string(),
            skuId: z.string(),
            meterId: z.string(),
            productTitle: z.string(),
            skuTitle: z.string(),
            termDuration: z.string(),
            billingPlan: z.string(),
            tags: z.string(),
            currency: z.string(),
            effectiveStartDate: z.string(),
            effectiveEndDate: z.string(),
          }),
          quantity: money,
          unit: z.string(),
          tiers: z.array(
            z.object({
              from: money.nullable(),
              to: money.nullable(),
              quantity: money,
              unitPrice: money,
              amount: money,
            }),
          ),
          ...figures,
          pec: z.object({ eligible: z.boolean(), percent: money.nullable() }),
          rule: z
            .object({
              id: z.string(),
              adjustment: adjustmentSchema,
              rounding: z.object({ decimals: z.number(), mode: z.string() }),
            })
            .nullable(),
          monthly: z.object({ ...figures, months: z.number() }).optional(),
          hourly: z.object({ ...figures, hours: z.number() }).optional(),
        })
        .meta({ id: 'QuoteLineResult' }),
    ),
    total: money,
    partnerCostTotal: money,
    customerTotal: money,
    rate: z
      .object({
        currency: z.string(),
        usdPerUnit: money,
        from: z.array(z.object({ currency: z.string(), usdPerUnit: money })),
        asOf: z.string(),
        source: z.string(),
        via: z.string(),
        rounding: z.string(),
        decimals: z.number(),
      })
      .nullable(),
  })
  .meta({ id: 'Quote' });

export const quotesDoc: ApiDoc = {
  summary: 'Quote items: published amount over the tiers, partner cost after PEC, customer amount after the price rule',
  description:
    'Per line the item in force on `date`, the tiers applied, `amount` (published prices), `partnerCost` (after ' +
    'partner-earned credit), `customerAmount` (after the price rule named in `rule`), and monthly/hourly ' +
    'equivalents for term prices; then the totals, and the rates used when converted. Amounts are exact decimals.',
  requestBody: quoteRequestSchema,
  response: quoteResponseSchema,
  errors: {
    400: 'InvalidBody: not JSON, or a field is invalid (`field` names it as sent, e.g. lines[0].quantity).',
    413: `PayloadTooLarge: the body is larger than ${MAX_QUOTE_BODY_BYTES} bytes (at most ${MAX_QUOTE_LINES} lines).`,
    422:
      'ItemNotFound or AmbiguousItem (`field` names the line, e.g. lines[1]; AmbiguousItem lists `candidates`), ' +
      'MixedCurrencies (`field: currency`: name one), RateNotFound (`field: currency`: no rate on that day).',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

const figuresJson = (f: Figures) => ({
  amount: exact(f.amount),
  partnerCost: exact(f.partnerCost),
  customerAmount: exact(f.customerAmount),
});

/** A quote as the API writes it: every amount a JSON number with exactly its digits. */
export function quoteJson(q: Quote): Record<string, unknown> {
  return {
    ...q,
    lines: q.lines.map((line) => ({
      ...line,
      quantity: exact(line.quantity),
      tiers: line.tiers.map((tier) => ({
        from: exactOrNull(tier.from),
        to: exactOrNull(tier.to),
        quantity: exact(tier.quantity),
        unitPrice: exact(tier.unitPrice),
        amount: exact(tier.amount),
      })),
      ...figuresJson(line),
      pec: { eligible: line.pec.eligible, percent: exactOrNull(line.pec.percent) },
      monthly: line.monthly && { ...figuresJson(line.monthly), months: line.monthly.months },
      hourly: line.hourly && { ...figuresJson(line.hourly), hours: line.hourly.hours },
    })),
    total: exact(q.total),
    partnerCostTotal: exact(q.partnerCostTotal),
    customerTotal: exact(q.customerTotal),
    rate: q.rate && {
      ...q.rate,
      usdPerUnit: exact(q.rate.usdPerUnit),
      from: q.rate.from.map((from) => ({ currency: from.currency, usdPerUnit: exact(from.usdPerUnit) })),
    },
  };
}

/** POST /api/quotes. */
export function handleQuote(
  body: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null,
  storage: StorageClients,
  settings: Pick<Settings, 'PEC_PERCENT'>,
  logger: Logger,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const request = await readJsonBody(quoteRequestSchema, body, declaredLength, MAX_QUOTE_BODY_BYTES);
    const result = await quote(storage, settings, request);
    logger.info('quote', { market: result.market, lines: result.lines.length, currency: result.currency });
    return jsonResponse(200, quoteJson(result));
  });
}
