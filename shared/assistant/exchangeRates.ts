import { exchangeRatesQuerySchema } from '../api/schemas';
import { handleExchangeRates } from '../rates';
import { queryTool } from './tool';

/** The exchange rates in force on a day: GET /api/exchange-rates. */
export const exchangeRatesTool = queryTool({
  toolName: 'get_exchange_rates',
  description:
    'The exchange rates in force on a day (default today, UTC): USD per unit of each currency, so a local ' +
    'price = USD price ÷ usdPerUnit. Returns the JSON of GET /api/exchange-rates: `rates` (currency, ' +
    'usdPerUnit with exactly its published digits, the month it was published for, source, asOf). A failed ' +
    'call answers an error naming the argument at fault (RateNotFound: no rates on or before that day, or ' +
    'none for that currency).',
  input: exchangeRatesQuerySchema,
  path: '/api/exchange-rates',
  endpoint: (request, { storage, logger }) => handleExchangeRates(request, storage, logger),
});
