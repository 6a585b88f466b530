import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { todayUtc } from '../shared/core/dates';
import { enqueuePriceRefresh, planPriceRefresh } from '../shared/prices/refreshQueue';

/**
 * Daily: plans the refresh of every configured market × view as of today (UTC), one message each on
 * the price-refresh queue; the priceRefresh function runs them (docs/operations.md: Queues).
 */
export async function refreshPricesHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  const plan = planPriceRefresh({
    markets: settings.PRICES_MARKETS,
    views: settings.PRICES_VIEWS,
    timelines: ['current'],
    asOf: todayUtc(),
    source: settings.PRICES_SOURCE,
  });
  const enqueued = await enqueuePriceRefresh(storage, plan);
  invocationLogger(context).event('RefreshPlanned', { what: 'prices', planId: plan.planId, enqueued });
}

timerFunction('refreshPrices', 'PRICES_SCHEDULE', { handler: refreshPricesHandler });
