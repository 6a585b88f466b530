import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePrices, pricesDoc } from '../shared/prices/endpoints/lookup';

export function pricesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handlePrices(request.query, appServices().apiStorage, invocationLogger(context));
}

httpFunction('prices', { methods: ['GET'], authLevel: 'function', route: 'prices', handler: pricesHandler }, pricesDoc);
