import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleDigest, digestDoc } from '../shared/notifications/digestEndpoints';

export function digestHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return handleDigest(request, appServices().apiStorage, invocationLogger(context));
}

httpFunction(
  'digest',
  { methods: ['GET'], authLevel: 'function', route: 'digests/{subscriptionId}/{day}', handler: digestHandler },
  digestDoc,
);
