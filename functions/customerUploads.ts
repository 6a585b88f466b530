import type { InvocationContext } from '@azure/functions';
import { blobFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processCustomerUpload } from '../shared/uploads';

/**
 * A CSV or JSON Lines file of customers dropped into the customer upload container: validated
 * record by record, then moved with its reports to the processed container, or to quarantine when
 * the file cannot be read (see shared/uploads/customerDrop). A failure that is not the file's fails
 * the invocation so that the event is delivered again.
 */
export async function customerUploadsHandler(blobName: string, context: InvocationContext): Promise<unknown> {
  const { storage, settings } = appServices();
  return processCustomerUpload(storage, settings, blobName, invocationLogger(context));
}

blobFunction('customerUploads', 'customerUploads', customerUploadsHandler);
