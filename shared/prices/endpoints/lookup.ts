import { z } from 'zod';
import type { StorageClients } from '../../storage/clients';
import { nowInstant } from '../../core/dates';
import type { Logger } from '../../observability/logger';
import { LISTING_READ_LIMIT, lookupPrices, type LookupCursor } from '../lookup';
import { CONVERSION, converterOf, rateSnapshotOnOrBefore, RateNotFoundError } from '../../rates';
import {
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiRequest,
  type ApiResponse,
} from '../../api/endpoint';
import { conditionalJson } from '../../api/caching';
import { ApiError, badParameter } from '../../api/errors';
import { decodeToken, encodeToken, pageLinks, queryBinding, type TokenScope } from '../../api/paging';
import { priceItem } from './item';
import { marketSnapshots } from './market';
import { parseFilter } from '../search/filter';
import { pricesQuerySchema, pricesResponseSchema, type PricesQuery } from '../../api/schemas';

export const pricesDoc: ApiDoc = {
  summary: 'Prices in force at an instant',
  // A getter: the number formatting loads ICU data, a measurable part of every function's cold start
  // (docs/design.md: cold start); the OpenAPI document reads it on its first request.
  get description() {
    return (
      'The price of each item of a market and view in force at `date` (default now), one version per price by ' +
      "the pricing guide's overlap rule (among versions covering the instant, the one that ends first). Look up " +
      'by `meterId` (one point read) or `productId` (+`skuId`), search with `$filter` (through the search index), ' +
      'or list the whole market and view. Prices are JSON numbers with exactly the published digits. Pages of ' +
      '`top` items; pass `continuationToken` for the next. A listing without meterId/productId reads at most ' +
      `${LISTING_READ_LIMIT.toLocaleString('en-US')} entities per page, so a page may hold fewer than \`top\` ` +
      'items and still have a continuation.'
    );
  },
  query: pricesQuerySchema,
  response: pricesResponseSchema,
  errors: {
    400:
      'A parameter is invalid, unknown or repeated; the continuation token was altered or belongs to another query; ' +
      'InvalidFilter: `$filter` does not parse (position, field as written).',
    404: 'MarketNotFound: no price snapshot of the market and view is stored.',
    422: 'RateNotFound: convertTo (or a price currency) has no exchange rate in force on that date.',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

/** The token's cursor: `at` the first page's instant, `c` the lookup cursor (short keys: it travels in URLs). */
const tokenSchema = z.object({
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/),
  c: z.union([
    z.strictObject({ source: z.number().int().min(0), offset: z.number().int().min(0) }),
    z.strictObject({
      partitionKey: z.string().max(1000),
      lastRowKey: z.string().max(1000),
      skip: z.number().int().min(1).optional(),
    }),
  ]),
});

/** `pagingSecret` signs the continuation tokens (shared/api/paging). */
export async function handlePrices(
  request: ApiRequest,
  storage: StorageClients,
  logger: Logger,
  pagingSecret: string,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const params = parseQuery(pricesQuerySchema, request);
    const { market, view, meterId, productId, skuId, termDuration, billingPlan, currency, convertTo } = params;
    const filters = { market, view, meterId, productId, skuId, termDuration, billingPlan, currency };
    const filter = params.$filter === undefined ? undefined : parseFilter(params.$filter);
    // Every parameter but `date`, which later pages may leave out (the first page's instant is in the token).
    const bound = { ...filters, $filter: params.$filter, convertTo, top: params.top };
    const scope = { binding: queryBinding('prices', bound), secret: pagingSecret };
    const { instant, cursor } = pageStart(params, scope);
    const day = instant.slice(0, 'YYYY-MM-DD'.length); // exchange rates are in force by day
    const rateNotFound = (e: RateNotFoundError) =>
      new ApiError(422, 'RateNotFound', e.message, { parameter: 'convertTo', currency: e.currency, date: day });
    const [state, rates] = await Promise.all([
      marketSnapshots(storage, market, view),
      convertTo === undefined ? undefined : rateSnapshotOnOrBefore(storage, day),
    ]);
    if (rates === null) throw rateNotFound(new RateNotFoundError(day, null));
    const validator = [
      'prices',
      filters,
      params.$filter,
      convertTo,
      params.top,
      instant,
      cursor,
      state.runs,
      rates?.id,
    ];
    return conditionalJson(request, { validator, freshness: state.latest }, async () => {
      try {
        const converter =
          convertTo === undefined || !rates ? undefined : await converterOf(storage, rates, day, convertTo);
        const page = await lookupPrices(storage, { ...filters, filter, instant, top: params.top, cursor });
        await converter?.prepare(page.versions.map((version) => version.currency));
        return {
          market,
          view,
          asOf: instant,
          items: page.versions.map((version) => priceItem(version, view, converter)),
          ...pageLinks(request.url, page.next ? encodeToken({ at: instant, c: page.next }, scope) : null),
          conversion: converter && {
            to: converter.target,
            ...CONVERSION,
            rateDate: converter.snapshot.asOf,
            source: converter.snapshot.source,
          },
        };
      } catch (e) {
        if (e instanceof RateNotFoundError) throw rateNotFound(e);
        throw e;
      }
    });
  });
}

/**
 * The instant and cursor of the page asked for. The first page's instant travels in the token, so
 * that "now" does not move between pages.
 */
function pageStart(params: PricesQuery, scope: TokenScope): { instant: string; cursor?: LookupCursor } {
  if (params.continuationToken === undefined) return { instant: params.date ?? nowInstant() };
  const token = decodeToken(params.continuationToken, scope, tokenSchema);
  if (params.date !== undefined && params.date !== token.at)
    throw badParameter('date', 'differs from the date of the first page (leave it out or keep it on later pages)');
  return { instant: token.at, cursor: token.c };
}
