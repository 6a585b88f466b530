import { queueFunction } from '../runtime/registry';

/**
 * One market × view × timeline of a planned price refresh (a price-refresh message). A failure throws:
 * the message is delivered again, and after maxDequeueCount moves to the poison queue (priceRefreshPoison).
 */
queueFunction('priceRefresh', { queue: 'priceRefresh' }, async () => {
  const { runPriceRefreshMessage } = await import('../shared/prices/refreshQueue');
  return (message, { storage, settings, logger }) => runPriceRefreshMessage({ storage, settings, logger }, message);
});
