import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processPriceUpload, uploadEventBlob } from '../shared/uploads';

/**
 * A price sheet or exchange-rate file dropped into the price upload container: its BlobCreated event
 * reaches the price-upload-events queue (docs/operations.md: Uploads); the file goes through the same
 * pipeline as the refresh, then moves with a JSON report to the processed or the quarantine container.
 * A file at fault is quarantined; a storage failure fails the invocation so that the message is
 * delivered again (after UPLOAD_MAX_ATTEMPTS the upload is quarantined with its last error).
 */
export async function priceUploadsHandler(message: unknown, context: InvocationContext): Promise<unknown> {
  const { settings, storage } = appServices();
  const logger = invocationLogger(context);
  const blobName = uploadEventBlob(message, storage, 'priceUploads', logger);
  return blobName === null ? null : processPriceUpload({ storage, settings, logger, blobName });
}

queueFunction('priceUploads', 'priceUploadEvents', priceUploadsHandler, { uploads: 'priceUploads' });
