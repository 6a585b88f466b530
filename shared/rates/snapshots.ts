import { odata } from '../storage/sdk';
import type { ExchangeRate } from './rate';
import type { StorageClients } from '../storage/clients';
import { ifFound, isNotFound } from '../storage/errors';
import { newestFirstDayKey, newestFirstKey } from '../storage/keys';

/**
 * Exchange rates in Table Storage. Every fetch is kept: one entity in `rateSnapshots` per fetch
 * (as-of day, source, archive) and its rates in `rates`, partitioned by fetch, one entity per
 * currency. Snapshot row keys count down by day, then by fetch time, so "the rates in force on D"
 * (the latest fetch on or before D) is one range query returning its first entity, and a rate is
 * then one point read.
 */

export interface RateSnapshot {
  /** Row key of the snapshot entity; also the partition of its rates. */
  id: string;
  asOf: string;
  source: string;
  /** The reference day the file states (ECB), or null (Partner Center states months only). */
  rateDate: string | null;
  rates: number;
  sha256: string;
  archive: string;
  runId: string;
  createdAt: string;
}

export interface StoredRate extends ExchangeRate {
  source: string;
  asOf: string;
}

const SNAPSHOT_PARTITION = 'fx';

/** Newest day first, then newest fetch first within a day. */
export function rateSnapshotId(asOf: string, createdAt: string): string {
  return `${newestFirstDayKey(asOf)}_${newestFirstKey(createdAt)}`;
}

/** Writes the rates first, the snapshot entity last: a fetch is visible only once complete. */
export async function saveRateSnapshot(
  storage: StorageClients,
  snapshot: RateSnapshot,
  rates: readonly ExchangeRate[],
): Promise<number> {
  const table = storage.table(storage.names.tables.rates);
  const entities = rates.map((r) => ({
    partitionKey: snapshot.id,
    rowKey: r.currency,
    ...r,
    source: snapshot.source,
    asOf: snapshot.asOf,
  }));
  for (let i = 0; i < entities.length; i += 100) {
    await table.submitTransaction(entities.slice(i, i + 100).map((e) => ['upsert', e, 'Replace'] as const));
  }
  const { id, rateDate, ...rest } = snapshot;
  await storage
    .table(storage.names.tables.rateSnapshots)
    .upsertEntity(
      { partitionKey: SNAPSHOT_PARTITION, rowKey: id, ...rest, ...(rateDate ? { rateDate } : {}) },
      'Replace',
    );
  return entities.length + 1;
}

/** The latest fetch taken on or before the day, or null. */
export async function rateSnapshotOnOrBefore(storage: StorageClients, day: string): Promise<RateSnapshot | null> {
  const table = storage.table(storage.names.tables.rateSnapshots);
  const filter = odata`PartitionKey eq ${SNAPSHOT_PARTITION} and RowKey ge ${newestFirstDayKey(day)}`;
  try {
    for await (const page of table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: 1 })) {
      if (page.length > 0) return snapshotOf(page[0]);
    }
  } catch (e) {
    if (isNotFound(e)) return null; // no rates were ever stored
    throw e;
  }
  return null;
}

function snapshotOf(e: Record<string, unknown>): RateSnapshot {
  return {
    id: e.rowKey as string,
    asOf: e.asOf as string,
    source: e.source as string,
    rateDate: typeof e.rateDate === 'string' ? e.rateDate : null,
    rates: Number(e.rates),
    sha256: e.sha256 as string,
    archive: e.archive as string,
    runId: e.runId as string,
    createdAt: e.createdAt as string,
  };
}

function rateOf(e: Record<string, unknown>): StoredRate {
  const rate: StoredRate = {
    currency: e.currency as string,
    usdPerUnit: e.usdPerUnit as string,
    month: e.month as string,
    source: e.source as string,
    asOf: e.asOf as string,
  };
  if (typeof e.eurRate === 'string') rate.eurRate = e.eurRate;
  return rate;
}

/** Every rate of a fetch, by currency code. */
export async function ratesOfSnapshot(storage: StorageClients, snapshot: RateSnapshot): Promise<StoredRate[]> {
  const table = storage.table(storage.names.tables.rates);
  const rates: StoredRate[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`PartitionKey eq ${snapshot.id}` },
  })) {
    rates.push(rateOf(e));
  }
  return rates;
}

/** One currency's rate in a fetch (a point read), or null. */
export async function rateInSnapshot(
  storage: StorageClients,
  snapshot: RateSnapshot,
  currency: string,
): Promise<StoredRate | null> {
  const entity = await ifFound(
    storage.table(storage.names.tables.rates).getEntity<Record<string, unknown>>(snapshot.id, currency),
  );
  return entity && rateOf(entity);
}
