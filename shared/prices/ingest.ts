import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { FileFault } from '../files/fault';
import { PRICE_FIELDS, validatePriceRecord, type PriceRow } from './row';
import type { Logger } from '../observability/logger';
import { NoPlannedChangesError, type PriceSheetDownload } from './sources/source';
import type { PriceView, Timeline } from './views';
import { archiveExtension, archiveFile } from '../storage/archive';
import type { StorageClients } from '../storage/clients';
import { versionDigest, versionKeys } from './tables/keys';
import { DigestMap } from './digestMap';
import {
  manifestName,
  readManifest,
  saveSnapshot,
  snapshotOnOrBefore,
  latestSnapshot,
  uploadManifest,
} from './tables/snapshots';
import { createChangeWriter } from './writes';
import { appendLine, closeSpool, openSpool } from '../files/spool';
import { spoolWithHash } from '../files/hashedSpool';
import { checkRejectedShare, recordedRun, type PipelineRun, type RunContext } from '../runs/recordedRun';
import { readSheet } from '../formats/priceFile';

/**
 * The one price pipeline (timer refresh, CLI refresh/ingest, blob uploads):
 *  1. spool the download to a temp file, hashing it; archive the raw bytes before parsing;
 *  2. stream-parse and validate every row with the one row schema;
 *  3. diff against the latest snapshot on or before the as-of day (manifest of version hashes);
 *     too many rejected rows or a broken file fail here, before anything is published;
 *  4. write only added/changed/removed versions, ≤100 per transaction, in parallel across partitions;
 *  5. commit: snapshot manifest + snapshot entity; record the run in the ledger.
 * Every write is an idempotent upsert and the snapshot entity is written last, so a run killed
 * half-way is finished by simply running it again.
 */

export interface IngestRequest {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
  /** Opens the download (fetch or local file); failures are recorded as a failed run. */
  open: () => Promise<PriceSheetDownload>;
  kind: 'refresh' | 'ingest' | 'upload';
  source: string;
  market: string;
  view: PriceView;
  timeline: Timeline;
  asOf: string;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  phase: 'download' | 'read' | 'write';
  done: number;
  total?: number;
}

const SEEN = -1;
const PROGRESS_EVERY = 5000;

/** 48 bits of a row's content: a changed price, date or text gives a different hash. */
function contentHash(row: PriceRow): number {
  const h = createHash('sha1');
  for (const f of PRICE_FIELDS) h.update(`${row[f] ?? '\u0000'}\u0001`);
  return h.digest().readUIntBE(0, 6);
}

export function ingestPriceSheet(req: IngestRequest): Promise<PipelineRun> {
  return recordedRun({
    storage: req.storage,
    settings: req.settings,
    logger: req.logger,
    identity: {
      kind: req.kind,
      source: req.source,
      market: req.market,
      view: req.view,
      timeline: req.timeline,
      asOf: req.asOf,
    },
    lockName: `${req.view}/${req.market}/${req.timeline}`,
    eventName: 'PriceIngestRun',
    rejectedReportName: (r) => `${r.view}/${r.market}/${r.asOf}/${r.runId}.rejected.csv`,
    // Partner Center's way of saying the future list is empty: nothing to store, nothing wrong.
    successNote: (e) => (e instanceof NoPlannedChangesError ? e.message : undefined),
    work: (context) => ingestLocked(req, context),
  });
}

async function ingestLocked(req: IngestRequest, { run, reject, tmp }: RunContext): Promise<void> {
  const { storage, settings } = req;
  const counts = run.counts;

  // 1. Spool and archive, before any parsing.
  const download = await req.open();
  const rawFile = path.join(tmp, 'raw');
  const { sha256, bytes, head } = await spoolWithHash(download.body, rawFile, (done) =>
    req.onProgress?.({ phase: 'download', done }),
  );
  const archived = await archiveFile(
    storage,
    `${req.view}/${req.market}/${req.asOf}/${sha256}.${archiveExtension(head)}`,
    rawFile,
    {
      source: req.source,
      origin: encodeURIComponent(download.origin),
      runId: run.runId,
      bytes: String(bytes),
    },
  );
  run.archive = archived.name;

  // 2–3. Parse, validate and diff against the previous snapshot.
  const readStarted = Date.now();
  const snapshotQuery = { market: req.market, view: req.view, timeline: req.timeline };
  const previous = await snapshotOnOrBefore(storage, { ...snapshotQuery, asOf: req.asOf });
  const latest = await latestSnapshot(storage, snapshotQuery);
  const known = new DigestMap(previous?.rows);
  if (previous)
    for await (const line of readManifest(storage, previous.manifest))
      known.set(versionDigest(line.partitionKey, line.rowKey), Number(line.contentHash));

  const manifest = openSpool(path.join(tmp, 'manifest.tsv'));
  const changes = createChangeWriter({
    storage,
    tmpDir: tmp,
    market: req.market,
    view: req.view,
    concurrency: settings.TABLE_WRITE_CONCURRENCY,
    removedAsOf: req.asOf,
    mergeStored: latest !== null,
  });

  for await (const item of readSheet(download.format, rawFile, req.market)) {
    counts.read++;
    if (counts.read % PROGRESS_EVERY === 0) req.onProgress?.({ phase: 'read', done: counts.read });
    if ('error' in item) {
      reject(item.line, item.error);
      continue;
    }
    const verdict = validatePriceRecord(item.record);
    if (!verdict.ok) {
      reject(item.line, verdict.reason);
      continue;
    }
    const row = verdict.row;
    if (row.market !== req.market) {
      reject(item.line, `Market ${row.market} in a ${req.market} sheet`);
      continue;
    }
    const keys = versionKeys(row, req.view);
    const id = versionDigest(keys.partitionKey, keys.rowKey);
    const hash = contentHash(row);
    const before = known.get(id);
    if (before === SEEN) {
      reject(item.line, 'duplicate: the same price and EffectiveStartDate as an earlier row');
      continue;
    }
    if (before === undefined) counts.added++;
    else if (before !== hash) counts.changed++;
    else counts.unchanged++;
    if (before !== hash) await changes.version(keys, hash, row, before === undefined);
    known.set(id, SEEN);
    await appendLine(manifest, `${keys.partitionKey}\t${keys.rowKey}\t${hash}`);
  }
  await closeSpool(manifest);

  const valid = counts.read - counts.rejected;
  if (valid === 0) throw new FileFault(`no valid price rows (${counts.read} read, ${counts.rejected} rejected)`);
  checkRejectedShare(counts, settings, 'rows', (message) => new FileFault(message));

  const removed = new Set<string>();
  for (const [id, state] of known.entries()) if (state !== SEEN) removed.add(id.toString('hex'));
  counts.removed = removed.size;

  req.logger.info('sheet read and compared', {
    rows: counts.read,
    added: counts.added,
    changed: counts.changed,
    removed: counts.removed,
    durationMs: Date.now() - readStarted,
  });
  const writeStarted = Date.now();
  // 4. Write what changed. A backfill into the past does not mark versions that later snapshots still list as removed.
  const removals = removed.size > 0 && previous !== null && removalsApply(req, latest?.asOf);
  const toWrite = counts.added + counts.changed + (removals ? removed.size : 0);
  if (removals) {
    for await (const line of readManifest(storage, previous.manifest)) {
      if (removed.has(versionDigest(line.partitionKey, line.rowKey).toString('hex', 0, 8))) await changes.removal(line);
    }
  }
  counts.entitiesWritten = await changes.commit((done) => req.onProgress?.({ phase: 'write', done, total: toWrite }));
  req.logger.info('changes written', { entities: counts.entitiesWritten, durationMs: Date.now() - writeStarted });

  // 5. Commit the snapshot (nothing to do when the same file was already committed for this day).
  const unchangedRerun =
    previous?.asOf === req.asOf && previous.sha256 === sha256 && counts.added + counts.changed + counts.removed === 0;
  if (unchangedRerun) return;
  const sameListing = previous !== null && counts.added + counts.changed + counts.removed === 0;
  const name = sameListing ? previous.manifest : manifestName(req.market, req.view, req.timeline, req.asOf);
  if (!sameListing) await uploadManifest(storage, name, manifest.file);
  await saveSnapshot(storage, {
    market: req.market,
    view: req.view,
    timeline: req.timeline,
    asOf: req.asOf,
    manifest: name,
    rows: valid,
    sha256,
    archive: archived.name,
    source: req.source,
    runId: run.runId,
    createdAt: nowInstant(),
  });
}

/**
 * A price missing from a future (preview) list is unchanged, not removed (seed 004), and future
 * versions share their entities with the current list: only the current list marks removals.
 */
function removalsApply(req: Pick<IngestRequest, 'asOf' | 'timeline'>, latestAsOf: string | undefined): boolean {
  return req.timeline === 'current' && (latestAsOf === undefined || req.asOf >= latestAsOf);
}
