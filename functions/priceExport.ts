import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { httpFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { handlePriceExport, priceExportDoc } from '../shared/quotes/endpoints/export';

export function priceExportHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { settings, apiStorage } = appServices();
  return handlePriceExport(request, apiStorage, settings, invocationLogger(context));
}

httpFunction(
  'priceExport',
  { methods: ['GET'], authLevel: 'function', route: 'prices/export', handler: priceExportHandler },
  priceExportDoc,
);
