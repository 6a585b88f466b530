import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { runRateRefreshMessage } from '../shared/rates/refreshQueue';

/** One source of a planned exchange-rate refresh (a rate-refresh message); failures as in priceRefresh. */
export async function rateRefreshHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await runRateRefreshMessage({ storage, settings, logger: invocationLogger(context) }, message);
}

queueFunction('rateRefresh', 'rateRefresh', rateRefreshHandler);
