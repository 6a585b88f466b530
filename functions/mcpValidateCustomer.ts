import { mcpToolFunction } from '../runtime/registry';

mcpToolFunction('mcpValidateCustomer', 'validate_customer');
