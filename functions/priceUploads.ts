import type { InvocationContext } from '@azure/functions';
import { blobFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processPriceUpload } from '../shared/uploads';

/**
 * A price sheet or exchange-rate file dropped into the price upload container (docs/operations.md: Uploads):
 * through the same pipeline as the refresh, then moved with a JSON report to the processed or the
 * quarantine container. A file at fault is quarantined; a storage failure fails the invocation so
 * that the event is delivered again (and dead-lettered in the end).
 */
export async function priceUploadsHandler(blobName: string, context: InvocationContext): Promise<unknown> {
  const { settings, storage } = appServices();
  return processPriceUpload({ storage, settings, logger: invocationLogger(context), blobName });
}

blobFunction('priceUploads', 'priceUploads', priceUploadsHandler);
