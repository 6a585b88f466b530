import type { InvocationContext } from '@azure/functions';
import { queueFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { recordPoisonedRateRefresh } from '../shared/rates/refreshQueue';

/** A rate-refresh message the host gave up on: recorded as a failed run, so that health and alerts see it. */
export async function rateRefreshPoisonHandler(message: unknown, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  await recordPoisonedRateRefresh({ storage, settings, logger: invocationLogger(context) }, message);
}

queueFunction('rateRefreshPoison', 'rateRefresh', rateRefreshPoisonHandler, { poison: true });
