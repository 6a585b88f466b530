import { httpFunction } from '../runtime/registry';

httpFunction(
  'digest',
  { methods: ['GET'], authLevel: 'function', route: 'digests/{subscriptionId}/{day}' },
  async () => {
    const { handleDigest, digestDoc } = await import('../shared/notifications/digestEndpoints');
    return { doc: digestDoc, handler: (request, { apiStorage, logger }) => handleDigest(request, apiStorage, logger) };
  },
);
