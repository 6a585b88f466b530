import { httpFunction } from '../runtime/registry';

httpFunction(
  'priceRules',
  { methods: ['GET', 'PUT', 'DELETE'], authLevel: 'function', route: 'price-rules/{id}' },
  async () => {
    const { handlePriceRule, priceRulesDoc } = await import('../shared/quotes/endpoints/rules');
    return {
      doc: priceRulesDoc,
      handler: (request, { apiStorage, logger }) => handlePriceRule(request, apiStorage, logger),
    };
  },
);
