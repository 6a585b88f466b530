import { httpFunction } from '../runtime/registry';

httpFunction('priceExport', { methods: ['GET'], authLevel: 'function', route: 'prices/export' }, async () => {
  const { handlePriceExport, priceExportDoc } = await import('../shared/quotes/endpoints/export');
  return {
    doc: priceExportDoc,
    handler: (request, { apiStorage, settings, logger }) => handlePriceExport(request, apiStorage, settings, logger),
  };
});
