import { z } from 'zod';
import { DECIMAL } from '../core/decimal';
import { parseDay, parseInstant, startOfDay } from '../core/dates';
import { priceViewSchema } from '../prices';
import { ROUNDING_MODES, type Adjustment, type Rounding } from './customerPrice';
import type { MatchableRule, RuleScope } from './precedence';

/**
 * A price rule: what a partner adds to its cost for a scope of customers and items, from `validFrom`
 * until `validTo` (docs/data-model.md, "Price rules"). The schema validates a rule as PUT sends it and
 * as the CLI imports it, and generates the OpenAPI schema.
 */

export const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const name = (description: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(100, 'at most 100 characters')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
    .meta({ description });

/** A decimal as JSON text or number: numbers are read back as the text JavaScript writes for them. */
const decimal = (description: string) =>
  z
    .union([z.string(), z.number()])
    .transform((value) => String(value).trim())
    .pipe(z.string().regex(DECIMAL, 'must be a decimal number such as 12.5'))
    .meta({ description });

const percent = (description: string, max: number, maxMessage: string) =>
  decimal(description).refine((text) => Number(text) >= 0 && Number(text) < max, maxMessage);

/** A date (00:00 UTC) or UTC date-time, normalized to the app's instant text. */
const instant = (description: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const day = parseDay(s);
      const parsed = day ? startOfDay(day) : /^\d{4}-\d{2}-\d{2}T/.test(s) ? parseInstant(s) : null;
      if (parsed !== null) return parsed;
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date (2026-12-01) or UTC date-time' });
      return z.NEVER;
    })
    .meta({ description, example: '2026-12-01' });

export const ruleScopeSchema = z
  .strictObject({
    customer: name('Customer id (as the portal names it).').optional(),
    customerGroup: name('Customer group.').optional(),
    market: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'a two-letter market code such as US')
      .transform((s) => s.toUpperCase())
      .optional(),
    view: priceViewSchema.optional(),
    productId: name('Product id.').optional(),
    skuId: name('SKU id (with or without productId).').optional(),
    tag: name('A Tags value such as Reservation or ThirdParty (matched case-insensitively).').optional(),
  })
  .meta({ description: 'What the rule applies to: every field given must match; none given: everything.' });

export const adjustmentSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('markupPercent'),
      percent: percent('Markup on partner cost, in percent.', 1_000_000, 'must be from 0 up to 1000000'),
    }),
    z.strictObject({
      type: z.literal('marginPercent'),
      percent: percent(
        'Target margin of the customer price, in percent.',
        100,
        'must be from 0 up to (not including) 100',
      ),
    }),
    z.strictObject({
      type: z.literal('fixedPerUnit'),
      amount: decimal('Added to the partner cost of each unit.'),
      currency: z
        .string({ error: 'required with a fixed amount: a three-letter currency code such as EUR' })
        .regex(/^[A-Za-z]{3}$/, 'a three-letter currency code such as EUR')
        .transform((s) => s.toUpperCase())
        .meta({ description: 'The currency of the amount: the rule applies only to prices in it.' }),
    }),
  ])
  .meta({ description: 'How the customer price is made from the partner cost.' });

export const roundingSchema = z
  .strictObject({
    decimals: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be from 0 to 10')
      .max(10, 'must be from 0 to 10')
      .optional(),
    mode: z.enum(ROUNDING_MODES).default('halfUp'),
  })
  .meta({ description: "Rounding of the customer price; decimals default to the currency's minor unit." });

/** The body of PUT /api/price-rules/{id} (the id is the path's). */
export const ruleBodySchema = z
  .strictObject({
    scope: ruleScopeSchema.default({}),
    adjustment: adjustmentSchema,
    rounding: roundingSchema.default({ mode: 'halfUp' }),
    validFrom: instant('First instant the rule applies (a date means 00:00 UTC).'),
    validTo: instant('First instant the rule no longer applies; absent or null: open-ended.').nullable().default(null),
    description: z.string().max(500, 'at most 500 characters').optional(),
  })
  .refine((rule) => rule.validTo === null || rule.validTo > rule.validFrom, {
    message: 'must be later than validFrom',
    path: ['validTo'],
  })
  .meta({ id: 'PriceRuleInput', description: 'A price rule as PUT sends it.' });

export type RuleBody = z.output<typeof ruleBodySchema>;

export interface PriceRule extends MatchableRule {
  id: string;
  scope: RuleScope;
  adjustment: Adjustment & { currency?: string };
  rounding: Rounding;
  validFrom: string;
  validTo: string | null;
  description?: string;
  currency?: string;
}

/** A validated body with its id, as stored and matched (a fixed amount's currency becomes a match condition). */
export function ruleOf(id: string, body: RuleBody): PriceRule {
  const currency = body.adjustment.type === 'fixedPerUnit' ? body.adjustment.currency : undefined;
  return { id, ...body, ...(currency ? { currency } : {}) };
}

export const ruleSchema = z
  .object({
    id: z.string(),
    scope: ruleScopeSchema,
    adjustment: adjustmentSchema,
    rounding: roundingSchema,
    validFrom: z.string(),
    validTo: z.string().nullable(),
    description: z.string().optional(),
  })
  .meta({ id: 'PriceRule', description: 'A stored price rule.' });

/** A rule as the API and the CLI export write it. */
export function ruleJson(rule: PriceRule): Record<string, unknown> {
  return {
    id: rule.id,
    scope: rule.scope,
    adjustment: rule.adjustment,
    rounding: rule.rounding,
    validFrom: rule.validFrom,
    validTo: rule.validTo,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
  };
}
