import { timerFunction } from '../runtime/registry';

/**
 * Daily: plans the refresh of every configured market × view as of today (UTC), one message each on
 * the price-refresh queue; the priceRefresh function runs them (docs/operations.md: Queues).
 */
timerFunction('refreshPrices', 'PRICES_SCHEDULE', async () => {
  const [{ todayUtc }, { enqueuePriceRefresh, planPriceRefresh }] = await Promise.all([
    import('../shared/core/dates'),
    import('../shared/prices/refreshQueue'),
  ]);
  return async (_timer, { storage, settings, logger }) => {
    const plan = planPriceRefresh({
      markets: settings.PRICES_MARKETS,
      views: settings.PRICES_VIEWS,
      timelines: ['current'],
      asOf: todayUtc(),
      source: settings.PRICES_SOURCE,
    });
    const enqueued = await enqueuePriceRefresh(storage, plan);
    logger.event('RefreshPlanned', { what: 'prices', planId: plan.planId, enqueued });
  };
});
