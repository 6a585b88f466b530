import { httpFunction } from '../runtime/registry';

httpFunction(
  'subscription',
  { methods: ['GET', 'PUT', 'DELETE'], authLevel: 'function', route: 'subscriptions/{id}' },
  async () => {
    const { handleSubscription, subscriptionDoc } = await import('../shared/notifications/endpoints');
    return {
      doc: subscriptionDoc,
      handler: (request, { apiStorage, settings, logger }) =>
        handleSubscription(request, { storage: apiStorage, settings, logger }),
    };
  },
);
