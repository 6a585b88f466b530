import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePriceRule, priceRulesDoc } from '../shared/quotes/endpoints/rules';

export function priceRulesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const ruleRequest = {
    method: request.method,
    id: request.params.id ?? '',
    body: request.body as AsyncIterable<Uint8Array> | null,
    declaredLength: request.headers.get('content-length'),
  };
  return handlePriceRule(ruleRequest, appServices().apiStorage, invocationLogger(context));
}

httpFunction(
  'priceRules',
  { methods: ['GET', 'PUT', 'DELETE'], authLevel: 'function', route: 'price-rules/{id}', handler: priceRulesHandler },
  priceRulesDoc,
);
