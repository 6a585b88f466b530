import { mcpToolFunction } from '../runtime/registry';

mcpToolFunction('mcpCreateQuote', 'create_quote');
