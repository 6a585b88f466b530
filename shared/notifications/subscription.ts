import { z } from 'zod';
import { priceViewSchema } from '../prices';

/**
 * A price-change subscription as a caller creates it (POST /api/subscriptions, the CLI): where the
 * events go and which changes it wants. Every filter is optional; an empty filter matches all.
 */

/** Partner Center's change codes as the pricing guide defines them (docs/api.md#get-apipriceschanges). */
const CHANGE_CODES = ['ADD', 'CHG', 'DEL', 'UNC'] as const;
export type ChangeCode = (typeof CHANGE_CODES)[number];

const codeList = (what: string, pattern: RegExp, example: string) =>
  z
    .array(z.string().regex(pattern, `${what} such as ${example}`))
    .max(100, 'at most 100 values')
    .optional();

/** A webhook's URL; whether plain http to this machine is allowed is a setting, checked where it is known. */
const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'an absolute http(s) URL' })
  .max(2000, 'at most 2000 characters')
  .refine((url) => !new URL(url).username && !new URL(url).password, 'no user name or password in the URL');

export const destinationSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('webhook'), url: webhookUrl }),
    /** The app's Event Grid custom topic (setting NOTIFY_EVENTGRID_ENDPOINT). */
    z.strictObject({ kind: z.literal('eventgrid') }),
  ],
  { error: 'one of webhook, eventgrid' },
);
export type Destination = z.infer<typeof destinationSchema>;

export const filtersSchema = z.strictObject({
  markets: codeList('a two-letter market code', /^[A-Z]{2}$/, 'US'),
  views: z.array(priceViewSchema).max(3).optional(),
  productIds: codeList('a Partner Center product id', /^[A-Z0-9]{12}$/, 'DZH318Z0BQ4L'),
  skuIds: codeList('a Partner Center SKU id', /^[A-Z0-9]{4}$/, '00JX'),
  /** Matches a price one of whose `Tags` (separated by `;`) equals one of these, ignoring case. */
  tags: z.array(z.string().min(1).max(100)).max(100).optional(),
  codes: z
    .array(z.enum(CHANGE_CODES, { error: 'one of ADD, CHG, DEL, UNC' }))
    .min(1)
    .optional(),
  /**
   * CHG only: the least change of the unit price in percent of the old price, in `direction`
   * (`increase`: only rises, `decrease`: only falls, `any`: either). Unset: every CHG.
   */
  changePercent: z
    .strictObject({
      min: z
        .string()
        .regex(/^\d{1,6}(\.\d{1,6})?$/, 'a decimal number of percent such as "5" or "2.5", as a string')
        .describe('the least change in percent, compared in decimals'),
      direction: z.enum(['increase', 'decrease', 'any'], { error: 'one of increase, decrease, any' }).default('any'),
    })
    .optional(),
});
export type Filters = z.infer<typeof filtersSchema>;

export const subscriptionInputSchema = z
  .strictObject({
    /** A label for people; not unique. */
    name: z.string().trim().min(1).max(200),
    destination: destinationSchema,
    filters: filtersSchema.default({}),
    /**
     * A daily digest of the changes (docs/api.md#digests): stored for GET /api/digests and sent to
     * `teamsUrl` (a Teams Workflows webhook) as an Adaptive Card, or else to the destination as an event.
     */
    digest: z.strictObject({ teamsUrl: webhookUrl.optional() }).optional(),
  })
  .meta({ id: 'SubscriptionInput', description: 'A subscription as POST and PUT send it.' });
export type SubscriptionInput = z.infer<typeof subscriptionInputSchema>;

export interface Subscription extends SubscriptionInput {
  id: string;
  createdAt: string;
}
