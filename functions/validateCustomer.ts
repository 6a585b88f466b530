import { httpFunction } from '../runtime/registry';

httpFunction(
  'validateCustomer',
  { methods: ['POST'], authLevel: 'function', route: 'customers/validate' },
  async () => {
    const { handleValidateCustomer, validateCustomerDoc } = await import('../shared/customers/endpoint');
    return {
      doc: validateCustomerDoc,
      handler: async (request, { logger }) =>
        handleValidateCustomer(
          request.body as AsyncIterable<Uint8Array> | null,
          request.headers.get('content-length'),
          logger,
        ),
    };
  },
);
