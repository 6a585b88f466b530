import type { StorageClients } from '../../storage/clients';
import { ApiError } from '../../api/errors';
import type { SnapshotMark } from '../../api/freshness';
import type { PriceView } from '../views';
import { committedState } from '../tables/committedRuns';

/** What a price answer is read from, known before the answer itself. */
export interface MarketSnapshots {
  /** The committed runs of the market and view, sorted: whatever version a lookup reads, one of them wrote. */
  runs: string[];
  /** The newest current snapshot: how fresh the answer is. */
  latest: SnapshotMark;
}

/**
 * The committed runs and newest current snapshot of a market and view (the query the lookup makes
 * anyway, cached as it caches it); 404 MarketNotFound when it has no current snapshot (a market
 * never loaded is not an empty list). The runs are the ETag's basis: a commit, a backfill or a
 * replaced day adds a run, so no kept answer survives it.
 */
export async function marketSnapshots(
  storage: StorageClients,
  market: string,
  view: PriceView,
): Promise<MarketSnapshots> {
  const { runs, latest } = await committedState(storage, market, view);
  if (latest === null)
    throw new ApiError(404, 'MarketNotFound', `market: no ${view} prices are stored for ${market}`, {
      parameter: 'market',
      view,
    });
  return { runs: [...runs].sort(), latest };
}
