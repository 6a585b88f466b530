import { queueFunction } from '../runtime/registry';

/**
 * A CSV or JSON Lines file of customers dropped into the customer upload container (its BlobCreated
 * event, from the customer-upload-events queue): validated record by record, then moved with its reports
 * to the processed container, or to quarantine when the file cannot be read (see shared/uploads/customerDrop).
 * A failure that is not the file's fails the invocation so that the message is delivered again.
 */
queueFunction('customerUploads', { queue: 'customerUploadEvents', uploads: 'customerUploads' }, async () => {
  const { processCustomerUpload, uploadEventBlob } = await import('../shared/uploads');
  return async (message, { storage, settings, logger }) => {
    const blobName = uploadEventBlob(message, storage, 'customerUploads', logger);
    return blobName === null ? null : processCustomerUpload(storage, settings, blobName, logger);
  };
});
