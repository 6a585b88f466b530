import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleSubscription, subscriptionDoc } from '../shared/notifications/endpoints';

export function subscriptionHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handleSubscription(request, {
    storage: apiStorage,
    settings,
    logger: invocationLogger(context),
  });
}

httpFunction(
  'subscription',
  {
    methods: ['GET', 'PUT', 'DELETE'],
    authLevel: 'function',
    route: 'subscriptions/{id}',
    handler: subscriptionHandler,
  },
  subscriptionDoc,
);
