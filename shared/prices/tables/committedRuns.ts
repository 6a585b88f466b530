import { odata } from '../../storage/sdk';
import type { PriceView } from '../views';
import type { StorageClients } from '../../storage/clients';
import { isNotFound } from '../../storage/errors';
import { prefixRange } from '../../storage/keys';
import type { CommittedRuns } from './versions';

/**
 * The runs whose writes readers may see: those with a snapshot entity of the market and view (any
 * timeline: future license-based lists share their versions with the current list), including the
 * earlier runs of a day whose snapshot a later run replaced (their pending states stay visible).
 * One query of the snapshot partitions; readers cache it for CACHE_MS per process, so a snapshot
 * committed by another process is seen at most that late. A commit in this process clears it.
 */
const CACHE_MS = 2000;

const cache = new Map<string, { at: number; runs: Promise<CommittedRuns> }>();
const cacheKey = (storage: StorageClients, market: string, view: PriceView) =>
  `${storage.names.tables.snapshots}|${market}|${view}`;

/** The committed runs, as a reader sees them (cached briefly). */
export function committedRuns(storage: StorageClients, market: string, view: PriceView): Promise<CommittedRuns> {
  const key = cacheKey(storage, market, view);
  const cached = cache.get(key);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.runs;
  const runs = readCommittedRuns(storage, market, view);
  cache.set(key, { at: Date.now(), runs });
  // A failed read is not kept.
  runs.catch(() => cache.delete(key));
  return runs;
}

/** Forgets the cached runs of a market and view (its snapshots changed). */
export function forgetCommittedRuns(storage: StorageClients, market: string, view: PriceView): void {
  cache.delete(cacheKey(storage, market, view));
}

/** The committed runs as they are now (what an ingest builds on). */
export async function readCommittedRuns(
  storage: StorageClients,
  market: string,
  view: PriceView,
): Promise<ReadonlySet<string>> {
  const table = storage.table(storage.names.tables.snapshots);
  const range = prefixRange(`${market}|${view}|`);
  const filter = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`;
  const runs = new Set<string>();
  try {
    for await (const entity of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select: ['runId', 'earlierRunIds'] },
    })) {
      runs.add(entity.runId as string);
      if (typeof entity.earlierRunIds === 'string' && entity.earlierRunIds !== '')
        for (const runId of entity.earlierRunIds.split(',')) runs.add(runId);
    }
  } catch (e) {
    // No snapshots table yet: nothing is committed.
    if (!isNotFound(e)) throw e;
  }
  return runs;
}
