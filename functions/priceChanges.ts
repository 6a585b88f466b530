import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { pagingSecret } from '../shared/api/paging';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePriceChanges, priceChangesDoc } from '../shared/prices/endpoints/changes';

export function priceChangesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handlePriceChanges(request, apiStorage, invocationLogger(context), pagingSecret(settings));
}

httpFunction(
  'priceChanges',
  { methods: ['GET'], authLevel: 'function', route: 'prices/changes', handler: priceChangesHandler },
  priceChangesDoc,
);
