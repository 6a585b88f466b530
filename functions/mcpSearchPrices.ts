import { mcpToolFunction } from '../runtime/registry';
import { searchPricesTool } from '../shared/assistant/searchPrices';

mcpToolFunction('mcpSearchPrices', searchPricesTool);
