import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { pagingSecret } from '../shared/api/paging';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePrices, pricesDoc } from '../shared/prices/endpoints/lookup';

export function pricesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handlePrices(request, apiStorage, invocationLogger(context), pagingSecret(settings));
}

httpFunction('prices', { methods: ['GET'], authLevel: 'function', route: 'prices', handler: pricesHandler }, pricesDoc);
