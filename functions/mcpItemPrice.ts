import { mcpToolFunction } from '../runtime/registry';

mcpToolFunction('mcpItemPrice', 'get_item_price');
