import { queueFunction } from '../runtime/registry';

/** A rate-refresh message the host gave up on: recorded as a failed run, so that health and alerts see it. */
queueFunction('rateRefreshPoison', { queue: 'rateRefresh', poison: true }, async () => {
  const { recordPoisonedRateRefresh } = await import('../shared/rates/refreshQueue');
  return (message, { storage, settings, logger }) => recordPoisonedRateRefresh({ storage, settings, logger }, message);
});
