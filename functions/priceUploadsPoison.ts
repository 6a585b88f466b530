import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processPriceUpload, uploadEventBlob, withDeliveriesExhausted } from '../shared/uploads';

/** A price upload whose event failed maxDequeueCount deliveries: quarantined unread, with its last error. */
export async function priceUploadsPoisonHandler(message: unknown, context: InvocationContext): Promise<unknown> {
  const { settings, storage } = appServices();
  const logger = invocationLogger(context);
  const blobName = uploadEventBlob(message, storage, 'priceUploads', logger);
  return blobName === null
    ? null
    : processPriceUpload({ storage, settings: withDeliveriesExhausted(settings), logger, blobName });
}

queueFunction('priceUploadsPoison', 'priceUploadEvents', priceUploadsPoisonHandler, {
  poison: true,
  uploads: 'priceUploads',
});
