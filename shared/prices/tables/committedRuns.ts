import { odata } from '../../storage/sdk';
import type { PriceView } from '../views';
import type { StorageClients } from '../../storage/clients';
import { isNotFound } from '../../storage/errors';
import { prefixRange } from '../../storage/keys';

/**
 * The runs whose writes readers may see: those with a snapshot entity of the market and view (any
 * timeline: future license-based lists share their versions with the current list), including the
 * earlier runs of a day whose snapshot a later run replaced (their pending states stay visible).
 * The same query also finds the newest current snapshot (its partition's first entity: row keys
 * count down by day), which the API reports as an answer's freshness. One query of the snapshot
 * partitions; readers cache it for CACHE_MS per process, so a snapshot committed by another process
 * is seen at most that late. A commit in this process clears it.
 */
const CACHE_MS = 2000;

/** What a reader sees of a market and view's snapshots. */
export interface CommittedState {
  runs: ReadonlySet<string>;
  /** The newest current snapshot: its day, source and commit instant; null before the first. */
  latest: { asOf: string; source: string; createdAt: string } | null;
}

const cache = new Map<string, { at: number; state: Promise<CommittedState> }>();
const cacheKey = (storage: StorageClients, market: string, view: PriceView) =>
  `${storage.names.tables.snapshots}|${market}|${view}`;

/** The committed runs and newest current snapshot, as a reader sees them (cached briefly). */
export function committedState(storage: StorageClients, market: string, view: PriceView): Promise<CommittedState> {
  const key = cacheKey(storage, market, view);
  const cached = cache.get(key);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.state;
  const state = readCommittedState(storage, market, view);
  cache.set(key, { at: Date.now(), state });
  // A failed read is not kept.
  state.catch(() => cache.delete(key));
  return state;
}

/** The committed runs, as a reader sees them (cached briefly). */
export async function committedRuns(
  storage: StorageClients,
  market: string,
  view: PriceView,
): Promise<ReadonlySet<string>> {
  return (await committedState(storage, market, view)).runs;
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
  return (await readCommittedState(storage, market, view)).runs;
}

async function readCommittedState(storage: StorageClients, market: string, view: PriceView): Promise<CommittedState> {
  const table = storage.table(storage.names.tables.snapshots);
  const range = prefixRange(`${market}|${view}|`);
  const filter = odata`PartitionKey ge ${range.from} and PartitionKey lt ${range.to}`;
  const runs = new Set<string>();
  let latest: CommittedState['latest'] = null;
  try {
    for await (const entity of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select: ['runId', 'earlierRunIds', 'timeline', 'asOf', 'source', 'createdAt'] },
    })) {
      runs.add(entity.runId as string);
      if (typeof entity.earlierRunIds === 'string' && entity.earlierRunIds !== '')
        for (const runId of entity.earlierRunIds.split(',')) runs.add(runId);
      if (latest === null && entity.timeline === 'current')
        latest = {
          asOf: entity.asOf as string,
          source: entity.source as string,
          createdAt: entity.createdAt as string,
        };
    }
  } catch (e) {
    // No snapshots table yet: nothing is committed.
    if (!isNotFound(e)) throw e;
  }
  return { runs, latest };
}
