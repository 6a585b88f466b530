import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleQuote, quotesDoc } from '../shared/quotes/endpoints/quotes';

export function quotesHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  const body = request.body as AsyncIterable<Uint8Array> | null;
  return handleQuote(body, request.headers.get('content-length'), apiStorage, settings, invocationLogger(context));
}

httpFunction(
  'quotes',
  { methods: ['POST'], authLevel: 'function', route: 'quotes', handler: quotesHandler },
  quotesDoc,
);
