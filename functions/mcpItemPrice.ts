import { mcpToolFunction } from '../runtime/registry';
import { itemPriceTool } from '../shared/assistant/itemPrice';

mcpToolFunction('mcpItemPrice', itemPriceTool);
