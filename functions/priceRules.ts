import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePriceRule, priceRulesDoc } from '../shared/quotes/endpoints/rules';

export function priceRulesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handlePriceRule(request, appServices().apiStorage, invocationLogger(context));
}

httpFunction(
  'priceRules',
  { methods: ['GET', 'PUT', 'DELETE'], authLevel: 'function', route: 'price-rules/{id}', handler: priceRulesHandler },
  priceRulesDoc,
);
