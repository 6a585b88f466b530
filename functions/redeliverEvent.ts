import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handleRedeliverEvent, redeliverEventDoc } from '../shared/notifications/endpoints';

export function redeliverEventHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handleRedeliverEvent(request, {
    storage: apiStorage,
    settings,
    logger: invocationLogger(context),
  });
}

httpFunction(
  'redeliverEvent',
  {
    methods: ['POST'],
    authLevel: 'function',
    route: 'subscriptions/{id}/events/{eventId}/redeliver',
    handler: redeliverEventHandler,
  },
  redeliverEventDoc,
);
