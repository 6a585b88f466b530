import { mcpToolFunction } from '../runtime/registry';

mcpToolFunction('mcpExchangeRates', 'get_exchange_rates');
