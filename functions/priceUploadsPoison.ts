import { queueFunction } from '../runtime/registry';

/** A price upload whose event failed maxDequeueCount deliveries: quarantined unread, with its last error. */
queueFunction('priceUploadsPoison', { queue: 'priceUploadEvents', poison: true, uploads: 'priceUploads' }, async () => {
  const { processPriceUpload, uploadEventBlob, withDeliveriesExhausted } = await import('../shared/uploads');
  return async (message, { storage, settings, logger }) => {
    const blobName = uploadEventBlob(message, storage, 'priceUploads', logger);
    return blobName === null
      ? null
      : processPriceUpload({ storage, settings: withDeliveriesExhausted(settings), logger, blobName });
  };
});
