import { createGunzip, createGzip } from 'node:zlib';
import readline from 'node:readline';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { odata } from '../../storage/sdk';
import { LAST_DAY } from '../../core/dates';
import { isNotFound } from '../../storage/errors';
import type { PriceView, Timeline } from '../views';
import type { StorageClients } from '../../storage/clients';
import { newestFirstDayKey } from '../../storage/keys';
import { forgetCommittedRuns } from './committedRuns';

/**
 * A snapshot is what one sheet listed on one as-of day: an entity in the snapshots table (the
 * commit point of an ingest) and a manifest blob with one line per listed version
 * (`partitionKey \t rowKey \t contentHash`). Row keys count down by day (storage/keys) so that
 * "the latest snapshot on or before D" is a single range query returning the first entity.
 */

export interface SnapshotRecord {
  market: string;
  view: PriceView;
  timeline: Timeline;
  asOf: string;
  manifest: string;
  rows: number;
  sha256: string;
  archive: string;
  source: string;
  runId: string;
  /** Runs that committed this day before (replaced): their pending states stay visible (committedRuns.ts). */
  earlierRunIds: string[];
  createdAt: string;
}

export const snapshotPartition = (market: string, view: PriceView, timeline: Timeline) =>
  `${market}|${view}|${timeline}`;

/**
 * A run's manifest has a name of its own (day and run), so that a run replacing a day's snapshot
 * never overwrites the manifest the committed snapshot still points to.
 */
export function manifestName(market: string, view: PriceView, timeline: Timeline, asOf: string, runId: string): string {
  return `${view}/${market}/${timeline}/${asOf}/${runId}.tsv.gz`;
}

/** The latest snapshot taken on or before the day (null when there is none). */
export async function snapshotOnOrBefore(
  storage: StorageClients,
  q: { market: string; view: PriceView; timeline: Timeline; asOf: string },
): Promise<SnapshotRecord | null> {
  const table = storage.table(storage.names.tables.snapshots);
  const partition = snapshotPartition(q.market, q.view, q.timeline);
  const filter = odata`PartitionKey eq ${partition} and RowKey ge ${newestFirstDayKey(q.asOf)}`;
  for await (const page of table
    .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
    .byPage({ maxPageSize: 1 })) {
    if (page.length > 0) return recordOf(page[0]);
  }
  return null;
}

/** The newest snapshot of a market and view, whatever its date. */
export function latestSnapshot(storage: StorageClients, q: { market: string; view: PriceView; timeline: Timeline }) {
  return snapshotOnOrBefore(storage, { ...q, asOf: LAST_DAY });
}

/** The earliest snapshot taken after the day (null when there is none). */
export async function snapshotAfter(
  storage: StorageClients,
  q: { market: string; view: PriceView; timeline: Timeline; asOf: string },
): Promise<SnapshotRecord | null> {
  const table = storage.table(storage.names.tables.snapshots);
  const partition = snapshotPartition(q.market, q.view, q.timeline);
  // Row keys count down: the earliest later day is the last entity before the day's key.
  const filter = odata`PartitionKey eq ${partition} and RowKey lt ${newestFirstDayKey(q.asOf)}`;
  let earliest: Record<string, unknown> | null = null;
  for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
    earliest = entity;
  return earliest && recordOf(earliest);
}

/** Every committed snapshot of the timeline, all markets and views (one query of the snapshot table). */
export async function listSnapshots(storage: StorageClients, timeline: Timeline): Promise<SnapshotRecord[]> {
  const table = storage.table(storage.names.tables.snapshots);
  const result: SnapshotRecord[] = [];
  for await (const entity of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`timeline eq ${timeline}` },
  }))
    result.push(recordOf(entity));
  return result;
}

function recordOf(e: Record<string, unknown>): SnapshotRecord {
  return {
    market: e.market as string,
    view: e.view as PriceView,
    timeline: e.timeline as Timeline,
    asOf: e.asOf as string,
    manifest: e.manifest as string,
    rows: Number(e.rows),
    sha256: e.sha256 as string,
    archive: e.archive as string,
    source: e.source as string,
    runId: e.runId as string,
    earlierRunIds: typeof e.earlierRunIds === 'string' && e.earlierRunIds !== '' ? e.earlierRunIds.split(',') : [],
    createdAt: e.createdAt as string,
  };
}

export async function saveSnapshot(storage: StorageClients, record: SnapshotRecord): Promise<void> {
  const table = storage.table(storage.names.tables.snapshots);
  await table.upsertEntity(
    {
      partitionKey: snapshotPartition(record.market, record.view, record.timeline),
      rowKey: newestFirstDayKey(record.asOf),
      ...record,
      earlierRunIds: record.earlierRunIds.join(','),
    },
    'Replace',
  );
  forgetCommittedRuns(storage, record.market, record.view);
}

/**
 * Uploads a manifest written locally (plain text) as a gzip blob. Both halves are awaited together: a
 * failed upload stops reading the gzip stream, so it is destroyed (else the file would wait for ever to
 * be compressed), and a failed read fails the upload, whose rejection is never left unhandled.
 */
export async function uploadManifest(storage: StorageClients, name: string, localFile: string): Promise<void> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.snapshots).getBlockBlobClient(name);
  const gzip = createGzip();
  const upload = blob
    .uploadStream(gzip, 4 * 1024 * 1024, 4, {
      blobHTTPHeaders: { blobContentType: 'text/tab-separated-values', blobContentEncoding: 'gzip' },
    })
    .catch((e: unknown) => {
      gzip.destroy();
      throw e;
    });
  const [compressed, uploaded] = await Promise.allSettled([pipeline(fs.createReadStream(localFile), gzip), upload]);
  // The upload's failure is the cause when both fail (the compression then only stopped because of it).
  if (uploaded.status === 'rejected') throw uploaded.reason;
  if (compressed.status === 'rejected') throw compressed.reason;
}

export interface ManifestLine {
  partitionKey: string;
  rowKey: string;
  contentHash: string;
}

/** Streams a snapshot's manifest lines. */
export async function* readManifest(storage: StorageClients, name: string): AsyncGenerator<ManifestLine> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.snapshots).getBlobClient(name);
  let body: NodeJS.ReadableStream;
  try {
    body = (await blob.download()).readableStreamBody as NodeJS.ReadableStream;
  } catch (e) {
    if (isNotFound(e)) throw new Error(`snapshot manifest ${name} is missing`);
    throw e;
  }
  const lines = readline.createInterface({ input: body.pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const [partitionKey, rowKey, contentHash] = line.split('\t');
    yield { partitionKey, rowKey, contentHash };
  }
}
