import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePriceChanges, priceChangesDoc } from '../shared/prices/endpoints/changes';

export function priceChangesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handlePriceChanges(request.query, appServices().apiStorage, invocationLogger(context));
}

httpFunction(
  'priceChanges',
  { methods: ['GET'], authLevel: 'function', route: 'prices/changes', handler: priceChangesHandler },
  priceChangesDoc,
);
