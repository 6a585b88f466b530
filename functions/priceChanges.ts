import { httpFunction } from '../runtime/registry';

httpFunction('priceChanges', { methods: ['GET'], authLevel: 'function', route: 'prices/changes' }, async () => {
  const { handlePriceChanges, priceChangesDoc } = await import('../shared/prices/endpoints/changes');
  return {
    doc: priceChangesDoc,
    handler: (request, { apiStorage, logger, pagingSecret }) =>
      handlePriceChanges(request, apiStorage, logger, pagingSecret),
  };
});
