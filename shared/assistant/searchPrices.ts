import { z } from 'zod';
import { pricesQuerySchema } from '../api/schemas';
import { handlePrices } from '../prices';
import { queryTool } from './tool';

/** The lookup filters of GET /api/prices, picked by name so that parameters added to it later are not taken unseen. */
export const priceLookupArguments = pricesQuerySchema.pick({
  market: true,
  view: true,
  meterId: true,
  productId: true,
  skuId: true,
  termDuration: true,
  billingPlan: true,
  currency: true,
  date: true,
  convertTo: true,
  top: true,
  continuationToken: true,
});

/** Find prices: the lookup of GET /api/prices, with `filter` passed through as its `$filter`. */
export const searchPricesTool = queryTool({
  toolName: 'search_prices',
  description:
    'Find the prices of one market and price-sheet view in force at an instant (default now), as the partner ' +
    'portal API answers them. Search by product, SKU, region, tag, unit, term or billing plan with `filter`, or ' +
    'narrow by meterId, productId (+ skuId), termDuration, billingPlan or the currency prices are published in; ' +
    'leave them out to page through the whole list. Set convertTo to add each price ' +
    'in that currency (exchange rates in force on that day). Returns the JSON of GET /api/prices: `items` (one ' +
    'per price: productTitle, productId, skuId, skuTitle, meterId, unitOfMeasure, termDuration, billingPlan, ' +
    'currency, unitPrice written with exactly its published digits, effectiveStartDate/EndDate, …), `asOf`, ' +
    'and `continuationToken`: when it is not null, call again with the same arguments plus that token for the ' +
    'next page. A failed call answers an error naming the argument at fault.',
  input: priceLookupArguments.extend({
    filter: z
      .string()
      .meta({
        description:
          "A filter in the Azure Retail Prices API's syntax, sent to the endpoint as `$filter`: eq, ne, and, or, " +
          'parentheses, contains(field, text) and startswith(field, text) on productName/productTitle, ' +
          'skuName/skuTitle, armRegionName/region, location, tags, unitOfMeasure, termDuration, billingPlan, ' +
          "priceType; values compare ignoring case. Example: `armRegionName eq 'eastus' and contains(productName, " +
          "'Virtual Machines')`. A filter that does not parse is an error naming `filter` with the position.",
      })
      .optional(),
  }),
  parameterNames: { filter: '$filter' },
  path: '/api/prices',
  endpoint: (request, { storage, logger, pagingSecret }) => handlePrices(request, storage, logger, pagingSecret),
});
