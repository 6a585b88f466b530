import { httpFunction } from '../runtime/registry';

httpFunction('exchangeRates', { methods: ['GET'], authLevel: 'function', route: 'exchange-rates' }, async () => {
  const { handleExchangeRates, exchangeRatesDoc } = await import('../shared/rates/endpoint');
  return {
    doc: exchangeRatesDoc,
    handler: (request, { apiStorage, logger }) => handleExchangeRates(request, apiStorage, logger),
  };
});
