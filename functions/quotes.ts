import { httpFunction } from '../runtime/registry';

httpFunction('quotes', { methods: ['POST'], authLevel: 'function', route: 'quotes' }, async () => {
  const { handleQuote, quotesDoc } = await import('../shared/quotes/endpoints/quotes');
  return {
    doc: quotesDoc,
    handler: (request, { apiStorage, settings, logger }) =>
      handleQuote(
        request.body as AsyncIterable<Uint8Array> | null,
        request.headers.get('content-length'),
        apiStorage,
        settings,
        logger,
      ),
  };
});
