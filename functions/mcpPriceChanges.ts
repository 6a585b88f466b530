import { mcpToolFunction } from '../runtime/registry';
import { priceChangesTool } from '../shared/assistant/priceChanges';

mcpToolFunction('mcpPriceChanges', priceChangesTool);
