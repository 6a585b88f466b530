import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { recordPoisonedPriceRefresh } from '../shared/prices/refreshQueue';

/** A price-refresh message the host gave up on: recorded as a failed run, so that health and alerts see it. */
export async function priceRefreshPoisonHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await recordPoisonedPriceRefresh({ storage, settings, logger: invocationLogger(context) }, message);
}

queueFunction('priceRefreshPoison', 'priceRefresh', priceRefreshPoisonHandler, { poison: true });
