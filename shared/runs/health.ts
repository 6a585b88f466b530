import type { Settings } from '../config/settings';
import type { StorageClients } from '../storage/clients';
import { lastSuccesses, type RunRecord } from './ledger';

export interface FreshnessEntry {
  market: string;
  view: string;
  timeline: string;
  lastSuccessAt: string | null;
  asOf: string | null;
  ageHours: number | null;
  stale: boolean;
}

export interface HealthReport {
  status: 'ok' | 'stale' | 'unavailable';
  storage: { reachable: boolean; mode: StorageClients['mode']; error?: string };
  staleAfterHours: number;
  prices: FreshnessEntry[];
}

/**
 * Storage reachable, and the last successful refresh of every configured market/view (plus any
 * other that has data) with its age; stale beyond STALE_AFTER_HOURS or never refreshed.
 */
export async function checkHealth(
  storage: StorageClients,
  settings: Settings,
  now = new Date(),
): Promise<HealthReport> {
  const staleAfterHours = settings.STALE_AFTER_HOURS;
  let successes: RunRecord[];
  try {
    successes = await lastSuccesses(storage);
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    if (status === 404)
      successes = []; // tables not created yet: nothing refreshed
    else
      return {
        status: 'unavailable',
        storage: { reachable: false, mode: storage.mode, error: (e as Error).message },
        staleAfterHours,
        prices: [],
      };
  }
  const entries = new Map<string, FreshnessEntry>();
  const key = (m: string, v: string, t: string) => `${m}|${v}|${t}`;
  for (const market of settings.PRICES_MARKETS) {
    for (const view of settings.PRICES_VIEWS) {
      entries.set(key(market, view, 'current'), {
        market,
        view,
        timeline: 'current',
        lastSuccessAt: null,
        asOf: null,
        ageHours: null,
        stale: true,
      });
    }
  }
  for (const run of successes) {
    const finishedAt = new Date(Date.parse(run.startedAt) + run.durationMs);
    const ageHours = Math.round(((now.getTime() - finishedAt.getTime()) / 3_600_000) * 100) / 100;
    entries.set(key(run.market, run.view, run.timeline), {
      market: run.market,
      view: run.view,
      timeline: run.timeline,
      lastSuccessAt: finishedAt.toISOString(),
      asOf: run.asOf,
      ageHours,
      stale: ageHours > staleAfterHours,
    });
  }
  const prices = [...entries.values()].sort((a, b) =>
    key(a.market, a.view, a.timeline).localeCompare(key(b.market, b.view, b.timeline)),
  );
  return {
    status: prices.some((p) => p.stale && p.timeline === 'current') ? 'stale' : 'ok',
    storage: { reachable: true, mode: storage.mode },
    staleAfterHours,
    prices,
  };
}
