import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processCustomerUpload, uploadEventBlob } from '../shared/uploads';

/**
 * A CSV or JSON Lines file of customers dropped into the customer upload container (its BlobCreated
 * event, from the customer-upload-events queue): validated record by record, then moved with its reports
 * to the processed container, or to quarantine when the file cannot be read (see shared/uploads/customerDrop).
 * A failure that is not the file's fails the invocation so that the message is delivered again.
 */
export async function customerUploadsHandler(message: unknown, context: InvocationContext): Promise<unknown> {
  const { storage, settings } = appServices();
  const logger = invocationLogger(context);
  const blobName = uploadEventBlob(message, storage, 'customerUploads', logger);
  return blobName === null ? null : processCustomerUpload(storage, settings, blobName, logger);
}

queueFunction('customerUploads', 'customerUploadEvents', customerUploadsHandler, { uploads: 'customerUploads' });
