import { httpFunction } from '../runtime/registry';

httpFunction('digests', { methods: ['GET'], authLevel: 'function', route: 'digests' }, async () => {
  const { handleDigests, digestsDoc } = await import('../shared/notifications/digestEndpoints');
  return { doc: digestsDoc, handler: (request, { apiStorage, logger }) => handleDigests(request, apiStorage, logger) };
});
