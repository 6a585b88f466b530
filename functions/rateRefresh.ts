import { queueFunction } from '../runtime/registry';

/** One source of a planned exchange-rate refresh (a rate-refresh message); failures as in priceRefresh. */
queueFunction('rateRefresh', { queue: 'rateRefresh' }, async () => {
  const { runRateRefreshMessage } = await import('../shared/rates/refreshQueue');
  return (message, { storage, settings, logger }) => runRateRefreshMessage({ storage, settings, logger }, message);
});
