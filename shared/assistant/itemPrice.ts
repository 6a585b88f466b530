import { handlePrices } from '../prices';
import { queryTool } from './tool';
import { priceLookupArguments } from './searchPrices';

/** The price of one item on a date, optionally in another currency: GET /api/prices by meterId or productId. */
export const itemPriceTool = queryTool({
  toolName: 'get_item_price',
  description:
    'The price of one item — a meter (meterId) or a product (productId, optionally skuId, termDuration, ' +
    'billingPlan) — in one market on a date (default now), optionally converted into another currency ' +
    '(convertTo, with the exchange rates in force that day). Use search_prices first when the ids are not ' +
    'known. Returns the JSON of GET /api/prices: `items` holds the matching prices (a product has one per SKU, ' +
    'term and billing plan unless narrowed), each with unitPrice in its published currency with exactly its ' +
    'published digits and, with convertTo, `converted.unitPrice`; `conversion` states the rate date and ' +
    'rounding. A failed call answers an error naming the argument at fault (RateNotFound: no rate that day).',
  input: priceLookupArguments.omit({ currency: true }),
  check: ({ meterId, productId }) =>
    meterId === undefined && productId === undefined
      ? {
          code: 'InvalidArgument',
          message: 'meterId: give meterId or productId (the item to price); search_prices finds them',
          argument: 'meterId',
        }
      : undefined,
  path: '/api/prices',
  endpoint: (request, { storage, logger, pagingSecret }) => handlePrices(request, storage, logger, pagingSecret),
});
