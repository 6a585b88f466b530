import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleDigests, digestsDoc } from '../shared/notifications/digestEndpoints';

export function digestsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handleDigests(request, appServices().apiStorage, invocationLogger(context));
}

httpFunction(
  'digests',
  { methods: ['GET'], authLevel: 'function', route: 'digests', handler: digestsHandler },
  digestsDoc,
);
