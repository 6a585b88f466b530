import { timerFunction } from '../runtime/registry';

/** Daily: plans the exchange-rate refresh from the configured source as of today (UTC); rateRefresh runs it. */
timerFunction('refreshExchangeRates', 'RATES_SCHEDULE', async () => {
  const [{ todayUtc }, { enqueueRateRefresh, planRateRefresh }] = await Promise.all([
    import('../shared/core/dates'),
    import('../shared/rates/refreshQueue'),
  ]);
  return async (_timer, { storage, settings, logger }) => {
    const plan = planRateRefresh({ sources: [settings.RATES_SOURCE], asOf: todayUtc() });
    const enqueued = await enqueueRateRefresh(storage, plan);
    logger.event('RefreshPlanned', { what: 'rates', planId: plan.planId, enqueued });
  };
});
