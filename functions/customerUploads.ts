import type { InvocationContext } from '@azure/functions';
import { blobFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { processCustomerUpload } from '../shared/uploads';

/**
 * A CSV or JSON Lines file of customers dropped into the customer upload container: validated
 * record by record; report and summary next to the input in the processed container (see
 * shared/uploads/customerDrop). Storage errors fail the invocation so that the event is retried.
 */
export async function customerUploadsHandler(blobName: string, context: InvocationContext): Promise<unknown> {
  const { storage } = appServices();
  return processCustomerUpload(storage, blobName, invocationLogger(context));
}

blobFunction('customerUploads', 'customerUploads', customerUploadsHandler);
