import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { runPriceRefreshMessage } from '../shared/prices/refreshQueue';

/**
 * One market × view × timeline of a planned price refresh (a price-refresh message). A failure throws:
 * the message is delivered again, and after maxDequeueCount moves to the poison queue (priceRefreshPoison).
 */
export async function priceRefreshHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await runPriceRefreshMessage({ storage, settings, logger: invocationLogger(context) }, message);
}

queueFunction('priceRefresh', 'priceRefresh', priceRefreshHandler);
