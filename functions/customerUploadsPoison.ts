import { queueFunction } from '../runtime/registry';

/** A customer upload whose event failed maxDequeueCount deliveries: quarantined unread, with its last error. */
queueFunction(
  'customerUploadsPoison',
  { queue: 'customerUploadEvents', poison: true, uploads: 'customerUploads' },
  async () => {
    const { processCustomerUpload, uploadEventBlob, withDeliveriesExhausted } = await import('../shared/uploads');
    return async (message, { storage, settings, logger }) => {
      const blobName = uploadEventBlob(message, storage, 'customerUploads', logger);
      return blobName === null
        ? null
        : processCustomerUpload(storage, withDeliveriesExhausted(settings), blobName, logger);
    };
  },
);
