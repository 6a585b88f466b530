import { httpFunction } from '../runtime/registry';

httpFunction('prices', { methods: ['GET'], authLevel: 'function', route: 'prices' }, async () => {
  const { handlePrices, pricesDoc } = await import('../shared/prices/endpoints/lookup');
  return {
    doc: pricesDoc,
    handler: (request, { apiStorage, logger, pagingSecret }) => handlePrices(request, apiStorage, logger, pagingSecret),
  };
});
