import type { InvocationContext, Timer } from '@azure/functions';
import { timerFunction } from '../runtime/registry';
import { appServices, invocationLogger } from '../runtime/services';
import { todayUtc } from '../shared/core/dates';
import { refreshPrices } from '../shared/prices/refresh';
import { createPriceSheetSource } from '../shared/prices/sources/factory';

/** Daily: every configured market × view from the configured source, as of today (UTC). */
export async function refreshPricesHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, storage } = appServices();
  const results = await refreshPrices({
    storage,
    settings,
    logger: invocationLogger(context),
    source: createPriceSheetSource(settings),
    markets: settings.PRICES_MARKETS,
    views: settings.PRICES_VIEWS,
    timeline: 'current',
    asOf: todayUtc(),
    kind: 'refresh',
  });
  const failed = results.filter((r) => r.outcome === 'failed');
  // Failing the invocation makes the failure visible to the host's monitoring; the ledger has the details.
  if (failed.length > 0)
    throw new Error(`price refresh failed for ${failed.map((r) => `${r.market}/${r.view}`).join(', ')}`);
}

timerFunction('refreshPrices', 'PRICES_SCHEDULE', { handler: refreshPricesHandler });
