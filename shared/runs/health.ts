import type { Settings } from '../config/settings';
import type { StorageClients } from '../storage/clients';
import { lastFailures, lastRefreshes, type RunRecord } from './ledger';

/**
 * /api/health: storage reachable, and per market/view/timeline the last successful *current
 * refresh* (a backfill, an ingest or an upload tells nothing about the daily refresh: see
 * the run ledger) with its age, and the last failed refresh when it came after it.
 */

export interface LastSuccess {
  /** When the run ended. */
  at: string;
  asOf: string;
  runId: string;
}

export interface LastFailure {
  at: string;
  /** The run's error, first line, cut short; the full text is in the run ledger under runId. */
  reason: string;
  runId: string;
}

export interface FreshnessEntry {
  market: string;
  view: string;
  timeline: string;
  lastSuccess: LastSuccess | null;
  /** lastSuccess.at, kept for the clients that read it. */
  lastSuccessAt: string | null;
  /** lastSuccess.asOf, kept for the clients that read it. */
  asOf: string | null;
  ageHours: number | null;
  stale: boolean;
  /** The last failed refresh, when it is newer than the last success; null otherwise. */
  lastFailure: LastFailure | null;
}

export interface HealthReport {
  status: 'ok' | 'stale' | 'unavailable';
  storage: { reachable: boolean; mode: StorageClients['mode']; error?: string };
  staleAfterHours: number;
  prices: FreshnessEntry[];
}

/** Enough of an error to tell what failed; long source errors (pages of HTML) are cut. */
const REASON_CHARS = 300;

const endOf = (run: RunRecord) => new Date(Date.parse(run.startedAt) + run.durationMs);
const keyOf = (run: Pick<RunRecord, 'market' | 'view' | 'timeline'>) => `${run.market}|${run.view}|${run.timeline}`;

function shortReason(error: string | null): string {
  const line = (error ?? 'failed').split('\n', 1)[0];
  return line.length > REASON_CHARS ? `${line.slice(0, REASON_CHARS - 1)}…` : line;
}

async function readStatus(storage: StorageClients): Promise<{ refreshes: RunRecord[]; failures: RunRecord[] }> {
  try {
    return { refreshes: await lastRefreshes(storage), failures: await lastFailures(storage) };
  } catch (e) {
    // Tables not created yet: nothing refreshed.
    if ((e as { statusCode?: number }).statusCode === 404) return { refreshes: [], failures: [] };
    throw e;
  }
}

function entryOf(
  where: Pick<RunRecord, 'market' | 'view' | 'timeline'>,
  success: RunRecord | undefined,
  failure: RunRecord | undefined,
  now: Date,
  staleAfterHours: number,
): FreshnessEntry {
  const at = success ? endOf(success) : null;
  const ageHours = at ? Math.round(((now.getTime() - at.getTime()) / 3_600_000) * 100) / 100 : null;
  const failedAt = failure ? endOf(failure) : null;
  const newerFailure = failure && failedAt && (at === null || failedAt > at);
  return {
    market: where.market,
    view: where.view,
    timeline: where.timeline,
    lastSuccess: success && at ? { at: at.toISOString(), asOf: success.asOf, runId: success.runId } : null,
    lastSuccessAt: at ? at.toISOString() : null,
    asOf: success?.asOf ?? null,
    ageHours,
    stale: ageHours === null || ageHours > staleAfterHours,
    lastFailure:
      newerFailure && failedAt
        ? { at: failedAt.toISOString(), reason: shortReason(failure.error), runId: failure.runId }
        : null,
  };
}

/**
 * Every configured market/view (current timeline), plus any other with a refresh or a failure on
 * record; stale beyond STALE_AFTER_HOURS or never refreshed.
 */
export async function checkHealth(
  storage: StorageClients,
  settings: Settings,
  now = new Date(),
): Promise<HealthReport> {
  const staleAfterHours = settings.STALE_AFTER_HOURS;
  let status: { refreshes: RunRecord[]; failures: RunRecord[] };
  try {
    status = await readStatus(storage);
  } catch (e) {
    return {
      status: 'unavailable',
      storage: { reachable: false, mode: storage.mode, error: (e as Error).message },
      staleAfterHours,
      prices: [],
    };
  }
  const places = new Map<string, Pick<RunRecord, 'market' | 'view' | 'timeline'>>();
  for (const market of settings.PRICES_MARKETS)
    for (const view of settings.PRICES_VIEWS)
      places.set(keyOf({ market, view, timeline: 'current' }), { market, view, timeline: 'current' });
  for (const run of [...status.refreshes, ...status.failures]) places.set(keyOf(run), run);
  const refreshes = new Map(status.refreshes.map((run) => [keyOf(run), run]));
  const failures = new Map(status.failures.map((run) => [keyOf(run), run]));
  const prices = [...places.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, where]) => entryOf(where, refreshes.get(key), failures.get(key), now, staleAfterHours));
  return {
    status: prices.some((p) => p.stale && p.timeline === 'current') ? 'stale' : 'ok',
    storage: { reachable: true, mode: storage.mode },
    staleAfterHours,
    prices,
  };
}
