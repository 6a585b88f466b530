import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { exchangeRatesDoc, handleExchangeRates } from '../shared/rates/endpoint';

export function exchangeRatesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handleExchangeRates(request, appServices().apiStorage, invocationLogger(context));
}

httpFunction(
  'exchangeRates',
  { methods: ['GET'], authLevel: 'function', route: 'exchange-rates', handler: exchangeRatesHandler },
  exchangeRatesDoc,
);
