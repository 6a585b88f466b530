import { httpFunction } from '../runtime/registry';

httpFunction(
  'redeliverEvent',
  { methods: ['POST'], authLevel: 'function', route: 'subscriptions/{id}/events/{eventId}/redeliver' },
  async () => {
    const { handleRedeliverEvent, redeliverEventDoc } = await import('../shared/notifications/endpoints');
    return {
      doc: redeliverEventDoc,
      handler: (request, { apiStorage, settings, logger }) =>
        handleRedeliverEvent(request, { storage: apiStorage, settings, logger }),
    };
  },
);
