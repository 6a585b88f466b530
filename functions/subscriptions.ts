import { httpFunction } from '../runtime/registry';

httpFunction('subscriptions', { methods: ['GET', 'POST'], authLevel: 'function', route: 'subscriptions' }, async () => {
  const { handleSubscriptions, subscriptionsDoc } = await import('../shared/notifications/endpoints');
  return {
    doc: subscriptionsDoc,
    handler: (request, { apiStorage, settings, logger }) =>
      handleSubscriptions(request, { storage: apiStorage, settings, logger }),
  };
});
