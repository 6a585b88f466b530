import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processCustomerUpload, uploadEventBlob, withDeliveriesExhausted } from '../shared/uploads';

/** A customer upload whose event failed maxDequeueCount deliveries: quarantined unread, with its last error. */
export async function customerUploadsPoisonHandler(message: unknown, context: InvocationContext): Promise<unknown> {
  const { storage, settings } = appServices();
  const logger = invocationLogger(context);
  const blobName = uploadEventBlob(message, storage, 'customerUploads', logger);
  return blobName === null ? null : processCustomerUpload(storage, withDeliveriesExhausted(settings), blobName, logger);
}

queueFunction('customerUploadsPoison', 'customerUploadEvents', customerUploadsPoisonHandler, {
  poison: true,
  uploads: 'customerUploads',
});
