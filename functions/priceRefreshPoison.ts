import { queueFunction } from '../runtime/registry';

/** A price-refresh message the host gave up on: recorded as a failed run, so that health and alerts see it. */
queueFunction('priceRefreshPoison', { queue: 'priceRefresh', poison: true }, async () => {
  const { recordPoisonedPriceRefresh } = await import('../shared/prices/refreshQueue');
  return (message, { storage, settings, logger }) => recordPoisonedPriceRefresh({ storage, settings, logger }, message);
});
