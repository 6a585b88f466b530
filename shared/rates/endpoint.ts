import type { StorageClients } from '../storage/clients';
import { todayUtc } from '../core/dates';
import { BASE_CURRENCY } from './rate';
import type { Logger } from '../observability/logger';
import { ratesInForce, RateNotFoundError } from './lookup';
import {
  jsonResponse,
  parseQuery,
  runEndpoint,
  STORAGE_UNAVAILABLE_DOC,
  type ApiDoc,
  type ApiResponse,
} from '../api/endpoint';
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
  query: URLSearchParams,
  storage: StorageClients,
  logger: Logger,
): Promise<ApiResponse> {
  return runEndpoint(logger, async () => {
    const params = parseQuery(exchangeRatesQuerySchema, query);
    const date = params.date ?? todayUtc();
    try {
      const { rates } = await ratesInForce(storage, date, params.currency);
      return jsonResponse(200, {
        date,
        base: BASE_CURRENCY,
        rates: rates.map((rate) => ({
          currency: rate.currency,
          usdPerUnit: exact(rate.usdPerUnit),
          month: rate.month,
          source: rate.source,
          asOf: rate.asOf,
        })),
      });
    } catch (e) {
      if (e instanceof RateNotFoundError)
        throw new ApiError(404, 'RateNotFound', e.message, {
          parameter: e.currency === null ? 'date' : 'currency',
          currency: e.currency,
          date,
        });
      throw e;
    }
  });
}
