import { mcpToolFunction } from '../runtime/registry';
import { validateCustomerTool } from '../shared/assistant/validateCustomer';

mcpToolFunction('mcpValidateCustomer', validateCustomerTool);
