import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleSubscriptionEvents, subscriptionEventsDoc } from '../shared/notifications/endpoints';

export function subscriptionEventsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handleSubscriptionEvents(request, {
    storage: apiStorage,
    settings,
    logger: invocationLogger(context),
  });
}

httpFunction(
  'subscriptionEvents',
  { methods: ['GET'], authLevel: 'function', route: 'subscriptions/{id}/events', handler: subscriptionEventsHandler },
  subscriptionEventsDoc,
);
