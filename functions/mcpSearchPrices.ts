import { mcpToolFunction } from '../runtime/registry';

mcpToolFunction('mcpSearchPrices', 'search_prices');
