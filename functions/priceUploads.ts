import { queueFunction } from '../runtime/registry';

/**
 * A price sheet or exchange-rate file dropped into the price upload container: its BlobCreated event
 * reaches the price-upload-events queue (docs/operations.md: Uploads); the file goes through the same
 * pipeline as the refresh, then moves with a JSON report to the processed or the quarantine container.
 * A file at fault is quarantined; a storage failure fails the invocation so that the message is
 * delivered again (after UPLOAD_MAX_ATTEMPTS the upload is quarantined with its last error).
 */
queueFunction('priceUploads', { queue: 'priceUploadEvents', uploads: 'priceUploads' }, async () => {
  const { processPriceUpload, uploadEventBlob } = await import('../shared/uploads');
  return async (message, { storage, settings, logger }) => {
    const blobName = uploadEventBlob(message, storage, 'priceUploads', logger);
    return blobName === null ? null : processPriceUpload({ storage, settings, logger, blobName });
  };
});
