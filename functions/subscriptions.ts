import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleSubscriptions, subscriptionsDoc } from '../shared/notifications/endpoints';

export function subscriptionsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handleSubscriptions(request, {
    storage: apiStorage,
    settings,
    logger: invocationLogger(context),
  });
}

httpFunction(
  'subscriptions',
  { methods: ['GET', 'POST'], authLevel: 'function', route: 'subscriptions', handler: subscriptionsHandler },
  subscriptionsDoc,
);
