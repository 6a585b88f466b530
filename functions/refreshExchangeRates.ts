import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { todayUtc } from '../shared/core/dates';
import { refreshRates } from '../shared/rates/ingest';
import { createFxRatesSource } from '../shared/rates/sources/factory';

/** Daily: the configured source's exchange rates, as of today (UTC). */
export async function refreshExchangeRatesHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  const run = await refreshRates({
    storage,
    settings,
    logger: invocationLogger(context),
    source: createFxRatesSource(settings),
    asOf: todayUtc(),
  });
  // Failing the invocation makes the failure visible to the host's monitoring; the ledger has the details.
  if (run.outcome === 'failed') throw new Error(`exchange-rate refresh failed: ${run.error}`);
}

timerFunction('refreshExchangeRates', 'RATES_SCHEDULE', { handler: refreshExchangeRatesHandler });
