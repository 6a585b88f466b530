import { httpFunction } from '../runtime/registry';

httpFunction(
  'subscriptionEvents',
  { methods: ['GET'], authLevel: 'function', route: 'subscriptions/{id}/events' },
  async () => {
    const { handleSubscriptionEvents, subscriptionEventsDoc } = await import('../shared/notifications/endpoints');
    return {
      doc: subscriptionEventsDoc,
      handler: (request, { apiStorage, settings, logger }) =>
        handleSubscriptionEvents(request, { storage: apiStorage, settings, logger }),
    };
  },
);
