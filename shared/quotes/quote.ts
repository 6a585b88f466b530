import { z } from 'zod';
import type { StorageClients } from '../storage/clients';
import type { Settings } from '../config/settings';
import { DECIMAL } from '../core/decimal';
import { nowInstant, parseDay, parseInstant, startOfDay } from '../core/dates';
import { ApiError } from '../api/errors';
import type { ProblemCode } from '../api/problem';
import {
  lookupPrices,
  monthlyEquivalent,
  priceViewSchema,
  termMonths,
  type PriceQuery,
  type PriceVersion,
  type PriceView,
} from '../prices';
import { CONVERSION, converterFor, RateNotFoundError, type Converter } from '../rates';
import { tieredAmount, type AppliedTier } from './tiers';
import { adjust, currencyDecimals, earnsPec, partnerCostOf, roundTo } from './customerPrice';
import { ruleFor } from './precedence';
import type { PriceRule } from './rule';
import { listRules } from './ruleStore';
import { sumOf, termHours, perHour } from './terms';

/**
 * A quote: what a list of items costs at published prices, what the partner pays after
 * partner-earned credit, and what the customer pays after the price rule that applies — per line,
 * with the tiers applied, and in total (docs/api.md, "POST /api/quotes"). A plain function of
 * storage, settings and a request, so the HTTP endpoint, the CLI, an MCP tool and the benchmark call
 * the same code. Money is decimal text computed exactly; rounding only where docs/design.md says.
 */

export const MAX_QUOTE_LINES = 500;

const identifier = (description: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(100, 'at most 100 characters')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
    .meta({ description });

const instant = z
  .string()
  .transform((s, ctx) => {
    const day = parseDay(s);
    const parsed = day ? startOfDay(day) : /^\d{4}-\d{2}-\d{2}T/.test(s) ? parseInstant(s) : null;
    if (parsed !== null) return parsed;
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date (2026-11-01) or UTC date-time' });
    return z.NEVER;
  })
  .meta({
    description: 'The instant whose prices are quoted (default now); a date means 00:00 UTC.',
    example: '2026-11-01',
  });

const quantity = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().regex(DECIMAL, 'must be a decimal number such as 100 or 2.5'))
  .refine((text) => !text.startsWith('-'), 'must not be negative')
  .meta({
    description:
      'Units to quote (in the unit of measure). A JSON string keeps every digit; a number is read as JavaScript writes it.',
  });

export const quoteLineSchema = z
  .strictObject({
    meterId: identifier('Meter GUID (Azure plan consumption and reservations).').optional(),
    productId: identifier('Product id (with skuId).').optional(),
    skuId: identifier('SKU id (with productId).').optional(),
    view: priceViewSchema.optional().meta({ description: 'Only this view (default: every view the item is in).' }),
    termDuration: identifier('Term, e.g. P1M, P1Y, P3Y.').optional(),
    billingPlan: identifier('Billing plan (license-based): Monthly, Annual, Triennial, None.').optional(),
    quantity,
  })
  .superRefine((line, ctx) => {
    if (line.meterId === undefined && (line.productId === undefined || line.skuId === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'name the item by meterId, or by productId and skuId',
        path: [line.productId === undefined ? 'meterId' : 'skuId'],
      });
  })
  .meta({ id: 'QuoteLine' });

export const quoteRequestSchema = z
  .strictObject({
    market: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'a two-letter market code such as US')
      .transform((s) => s.toUpperCase()),
    date: instant.optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'a three-letter currency code such as EUR')
      .transform((s) => s.toUpperCase())
      .optional()
      .meta({ description: 'Quote in this currency (converted with the rates in force on the day of `date`).' }),
    customer: identifier('The customer (picks its price rules).').optional(),
    customerGroup: identifier("The customer's group (picks the group's price rules).").optional(),
    lines: z
      .array(quoteLineSchema)
      .min(1, 'must list at least one line')
      .max(MAX_QUOTE_LINES, `at most ${MAX_QUOTE_LINES} lines`),
  })
  .meta({ id: 'QuoteRequest' });

export type QuoteRequest = z.output<typeof quoteRequestSchema>;
type QuoteLineRequest = QuoteRequest['lines'][number];

export interface Figures {
  amount: string;
  partnerCost: string;
  customerAmount: string;
}

export interface QuoteLine extends Figures {
  line: number;
  item: {
    view: PriceView;
    productId: string;
    skuId: string;
    meterId: string;
    productTitle: string;
    skuTitle: string;
    termDuration: string;
    billingPlan: string;
    tags: string;
    /** The currency the price is published in (the quote's own may differ: converted). */
    currency: string;
    effectiveStartDate: string;
    effectiveEndDate: string;
  };
  quantity: string;
  unit: string;
  tiers: AppliedTier[];
  pec: { eligible: boolean; percent: string | null };
  rule: { id: string; adjustment: PriceRule['adjustment']; rounding: { decimals: number; mode: string } } | null;
  /** Term-priced lines: per month of the term (license P1Y ÷ 12, reservations P3Y ÷ 36). */
  monthly?: Figures & { months: number };
  /** Reservations: per hour of the term (730 hours a month). */
  hourly?: Figures & { hours: number };
}

export interface Quote {
  market: string;
  date: string;
  currency: string;
  customer: string | null;
  customerGroup: string | null;
  lines: QuoteLine[];
  total: string;
  partnerCostTotal: string;
  customerTotal: string;
  /** Present when a line was converted: the rates used. */
  rate: {
    currency: string;
    usdPerUnit: string;
    from: { currency: string; usdPerUnit: string }[];
    asOf: string;
    source: string;
    via: string;
    rounding: string;
    decimals: number;
  } | null;
}

/** Every view an item named this way can be in. */
function viewsFor(line: QuoteLineRequest): PriceView[] {
  if (line.view !== undefined) return [line.view];
  if (line.billingPlan !== undefined) return ['updatedlicensebased'];
  if (line.meterId !== undefined) return ['azure_consumption', 'azure_reservations'];
  return ['azure_consumption', 'azure_reservations', 'updatedlicensebased'];
}

/** Every price version in force for the line, in each view it can be in (all pages). */
async function pricesOfLine(
  storage: StorageClients,
  market: string,
  line: QuoteLineRequest,
  instant: string,
): Promise<{ view: PriceView; version: PriceVersion }[]> {
  const perView = await Promise.all(
    viewsFor(line).map(async (view) => {
      const found: { view: PriceView; version: PriceVersion }[] = [];
      let cursor: PriceQuery['cursor'];
      do {
        const page = await lookupPrices(storage, {
          market,
          view,
          meterId: line.meterId,
          productId: line.productId,
          skuId: line.skuId,
          termDuration: line.termDuration,
          billingPlan: line.billingPlan,
          instant,
          top: 1000,
          cursor,
        });
        for (const version of page.versions) found.push({ view, version });
        cursor = page.next ?? undefined;
      } while (cursor);
      return found;
    }),
  );
  return perView.flat();
}

/** One price (its tier rows) per candidate: the same item, term, plan and currency. */
function groupPrices(
  found: { view: PriceView; version: PriceVersion }[],
): Map<string, { view: PriceView; rows: PriceVersion[] }> {
  const groups = new Map<string, { view: PriceView; rows: PriceVersion[] }>();
  for (const { view, version } of found) {
    const key = [
      view,
      version.productId,
      version.skuId,
      version.meterId,
      version.termDuration,
      version.billingPlan,
      version.currency,
    ].join('\u0001');
    const group = groups.get(key);
    if (group) group.rows.push(version);
    else groups.set(key, { view, rows: [version] });
  }
  return groups;
}

/** A 422 about one line: the problem's `field` names it as sent (`lines[1]`), `line` its index. */
const lineError = (index: number, code: ProblemCode, message: string, extensions: Record<string, unknown> = {}) =>
  new ApiError(422, code, `lines[${index}]: ${message}`, { field: `lines[${index}]`, line: index, ...extensions });

/** The one price a line names: 422 when none is in force or it is ambiguous. */
function chosenPrice(
  index: number,
  line: QuoteLineRequest,
  found: { view: PriceView; version: PriceVersion }[],
  quoteCurrency: string | undefined,
  instant: string,
): { view: PriceView; rows: PriceVersion[] } {
  let groups = [...groupPrices(found).values()];
  const named =
    line.meterId !== undefined ? `meterId ${line.meterId}` : `productId ${line.productId} skuId ${line.skuId}`;
  if (groups.length === 0) throw lineError(index, 'ItemNotFound', `no price in force on ${instant} for ${named}`);
  // Markets that publish a price in several currencies: the quote's currency picks one.
  if (groups.length > 1 && quoteCurrency !== undefined) {
    const inCurrency = groups.filter((group) => group.rows[0].currency === quoteCurrency);
    if (inCurrency.length > 0) groups = inCurrency;
  }
  if (groups.length > 1)
    throw lineError(
      index,
      'AmbiguousItem',
      `${named} names ${groups.length} prices; add view, termDuration, billingPlan or currency`,
      {
        candidates: groups.map(({ view, rows: [row] }) => ({
          view,
          meterId: row.meterId,
          productId: row.productId,
          skuId: row.skuId,
          termDuration: row.termDuration,
          billingPlan: row.billingPlan,
          currency: row.currency,
        })),
      },
    );
  return groups[0];
}

/** The per-month and per-hour equivalents of a line's figures, when its term makes them. */
function termFigures(view: PriceView, termDuration: string, figures: Figures): Pick<QuoteLine, 'monthly' | 'hourly'> {
  const months = view === 'azure_consumption' ? null : termMonths(termDuration);
  if (months === null) return {};
  const each = (of: (value: string) => string): Figures => ({
    amount: of(figures.amount),
    partnerCost: of(figures.partnerCost),
    customerAmount: of(figures.customerAmount),
  });
  const monthly = { ...each((value) => monthlyEquivalent(value, months)), months };
  if (view !== 'azure_reservations') return { monthly };
  const hours = termHours(months);
  return { monthly, hourly: { ...each((value) => perHour(value, hours)), hours } };
}

export async function quote(
  storage: StorageClients,
  settings: Pick<Settings, 'PEC_PERCENT'>,
  request: QuoteRequest,
): Promise<Quote> {
  const instant = request.date ?? nowInstant();
  const day = instant.slice(0, 'YYYY-MM-DD'.length);
  const [rules, prices] = await Promise.all([
    listRules(storage),
    Promise.all(request.lines.map((line) => pricesOfLine(storage, request.market, line, instant))),
  ]);
  const chosen = request.lines.map((line, index) => chosenPrice(index, line, prices[index], request.currency, instant));

  const currencies = [...new Set(chosen.map(({ rows }) => rows[0].currency))];
  if (request.currency === undefined && currencies.length > 1)
    throw new ApiError(
      422,
      'MixedCurrencies',
      `lines are priced in ${currencies.join(', ')}; name the quote's currency`,
      {
        field: 'currency',
        currencies,
      },
    );
  const currency = request.currency ?? currencies[0];
  let converter: Converter | null = null;
  if (currencies.some((c) => c !== currency)) {
    try {
      converter = await converterFor(storage, day, currency);
      await converter.prepare(currencies);
    } catch (e) {
      if (e instanceof RateNotFoundError)
        throw new ApiError(422, 'RateNotFound', e.message, { field: 'currency', currency: e.currency, date: day });
      throw e;
    }
  }

  const lines = chosen.map(({ view, rows }, index): QuoteLine => {
    const lineRequest = request.lines[index];
    const row = rows[0];
    const inCurrency = (price: string) =>
      row.currency === currency || converter === null ? price : converter.convert(price, row.currency).unitPrice;
    const tiered = tieredAmount(
      rows.map((tier) => ({ ...tier, unitPrice: inCurrency(tier.unitPrice) })),
      lineRequest.quantity,
    );
    const pecPercent = earnsPec({ view, ...row }) ? settings.PEC_PERCENT : null;
    const partnerCost = partnerCostOf(tiered.amount, pecPercent);
    const rule = ruleFor(rules, {
      customer: request.customer,
      customerGroup: request.customerGroup,
      market: request.market,
      view,
      productId: row.productId,
      skuId: row.skuId,
      tags: row.tags,
      currency,
      instant,
    });
    const decimals = rule?.rounding.decimals ?? currencyDecimals(currency);
    const customerAmount = rule
      ? roundTo(adjust(partnerCost, lineRequest.quantity, rule.adjustment), decimals, rule.rounding.mode)
      : tiered.amount;
    const figures = { amount: tiered.amount, partnerCost, customerAmount };
    return {
      line: index,
      item: {
        view,
        productId: row.productId,
        skuId: row.skuId,
        meterId: row.meterId,
        productTitle: row.productTitle,
        skuTitle: row.skuTitle,
        termDuration: row.termDuration,
        billingPlan: row.billingPlan,
        tags: row.tags,
        currency: row.currency,
        effectiveStartDate: row.effectiveStartDate,
        effectiveEndDate: row.effectiveEndDate,
      },
      quantity: lineRequest.quantity,
      unit: row.unitOfMeasure,
      tiers: tiered.tiers,
      ...figures,
      pec: { eligible: pecPercent !== null, percent: pecPercent },
      rule: rule && { id: rule.id, adjustment: rule.adjustment, rounding: { decimals, mode: rule.rounding.mode } },
      ...termFigures(view, row.termDuration, figures),
    };
  });

  return {
    market: request.market,
    date: instant,
    currency,
    customer: request.customer ?? null,
    customerGroup: request.customerGroup ?? null,
    lines,
    total: sumOf(lines.map((line) => line.amount)),
    partnerCostTotal: sumOf(lines.map((line) => line.partnerCost)),
    customerTotal: sumOf(lines.map((line) => line.customerAmount)),
    // A conversion reports the rates it used (usdPerUnit of the target, fromUsdPerUnit of the source).
    rate: converter && {
      currency,
      usdPerUnit: converter.convert('1', currency).usdPerUnit,
      from: currencies
        .filter((c) => c !== currency)
        .map((c) => ({ currency: c, usdPerUnit: converter.convert('1', c).fromUsdPerUnit })),
      asOf: converter.snapshot.asOf,
      source: converter.snapshot.source,
      ...CONVERSION,
    },
  };
}
