import { mcpToolFunction } from '../runtime/registry';
import { exchangeRatesTool } from '../shared/assistant/exchangeRates';

mcpToolFunction('mcpExchangeRates', exchangeRatesTool);
