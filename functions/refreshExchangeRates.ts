import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { todayUtc } from '../shared/core/dates';
import { enqueueRateRefresh, planRateRefresh } from '../shared/rates/refreshQueue';

/** Daily: plans the exchange-rate refresh from the configured source as of today (UTC); rateRefresh runs it. */
export async function refreshExchangeRatesHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  const plan = planRateRefresh({ sources: [settings.RATES_SOURCE], asOf: todayUtc() });
  const enqueued = await enqueueRateRefresh(storage, plan);
  invocationLogger(context).event('RefreshPlanned', { what: 'rates', planId: plan.planId, enqueued });
}

timerFunction('refreshExchangeRates', 'RATES_SCHEDULE', { handler: refreshExchangeRatesHandler });
