import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { invocationLogger } from '../runtime/services';
import { handleValidateCustomer, validateCustomerDoc } from '../shared/customers/endpoint';

export function validateCustomerHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = request.body as AsyncIterable<Uint8Array> | null;
  return handleValidateCustomer(body, request.headers.get('content-length'), invocationLogger(context));
}

httpFunction(
  'validateCustomer',
  { methods: ['POST'], authLevel: 'function', route: 'customers/validate', handler: validateCustomerHandler },
  validateCustomerDoc,
);
