import { mcpToolFunction } from '../runtime/registry';

mcpToolFunction('mcpPriceChanges', 'get_price_changes');
