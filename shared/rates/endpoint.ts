import type { StorageClients } from '../storage/clients';
import { todayUtc } from '../core/dates';
import { BASE_CURRENCY } from './rate';
import type { Logger } from '../observability/logger';
import { ratesOf, RateNotFoundError } from './lookup';
import { rateSnapshotOnOrBefore } from './snapshots';
import {
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiRequest,
  type ApiResponse,
} from '../api/endpoint';
import { conditionalJson } from '../api/caching';
import { ApiError } from '../api/errors';
import { exact } from '../api/json';
import { exchangeRatesQuerySchema, exchangeRatesResponseSchema } from '../api/schemas';

export const exchangeRatesDoc: ApiDoc = {
  summary: 'Exchange rates in force on a day',
  description:
    'USD per unit of each currency (local price = USD price ÷ usdPerUnit), from the latest exchange-rate fetch ' +
    'taken on or before `date`. Rates are JSON numbers with exactly the published digits; `asOf` is the day of ' +
    'that fetch, `month` the month the source published them for.',
  query: exchangeRatesQuerySchema,
  response: exchangeRatesResponseSchema,
  errors: {
    400: 'A parameter is invalid, unknown or repeated.',
    404: 'RateNotFound: no rates stored on or before the date, or none for `currency`.',
    503: STORAGE_UNAVAILABLE_DOC,
  },
};

export async function handleExchangeRates(
  request: ApiRequest,
  storage: StorageClients,
  logger: Logger,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const params = parseQuery(exchangeRatesQuerySchema, request);
    const date = params.date ?? todayUtc();
    const notFound = (e: RateNotFoundError) =>
      new ApiError(404, 'RateNotFound', e.message, {
        parameter: e.currency === null ? 'date' : 'currency',
        currency: e.currency,
        date,
      });
    const snapshot = await rateSnapshotOnOrBefore(storage, date);
    if (!snapshot) throw notFound(new RateNotFoundError(date, params.currency ?? null));
    const validator = ['exchangeRates', date, params.currency, snapshot];
    return conditionalJson(request, { validator, freshness: snapshot }, async () => {
      try {
        const rates = await ratesOf(storage, snapshot, date, params.currency);
        return {
          date,
          base: BASE_CURRENCY,
          rates: rates.map((rate) => ({
            currency: rate.currency,
            usdPerUnit: exact(rate.usdPerUnit),
            month: rate.month,
            source: rate.source,
            asOf: rate.asOf,
          })),
        };
      } catch (e) {
        if (e instanceof RateNotFoundError) throw notFound(e);
        throw e;
      }
    });
  });
}
