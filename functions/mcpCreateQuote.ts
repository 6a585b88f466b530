import { mcpToolFunction } from '../runtime/registry';
import { createQuoteTool } from '../shared/assistant/createQuote';

mcpToolFunction('mcpCreateQuote', createQuoteTool);
