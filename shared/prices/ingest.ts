import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { FileFault } from '../files/fault';
import type { ReadLine } from './row';
import { LATER_FIELDS, PRICE_FIELDS, validatePriceRecord, type PriceRow } from './row';
import type { Logger } from '../observability/logger';
import { NoPlannedChangesError, type PriceSheetDownload } from './sources/source';
import type { PriceView, Timeline } from './views';
import { archiveExtension, archiveFile } from '../storage/archive';
import type { StorageClients } from '../storage/clients';
import type { RunCounts, RunRecord } from '../runs/ledger';
import { versionDigest, versionKeys } from './tables/keys';
import { DIGEST_KEY_BYTES, DigestMap } from './digestMap';
import {
  manifestName,
  readManifest,
  saveSnapshot,
  snapshotOnOrBefore,
  latestSnapshot,
  uploadManifest,
  type SnapshotRecord,
} from './tables/snapshots';
import { createChangeWriter, type ChangeWriter } from './writes';
import { appendLine, closeSpool, openSpool, type SpoolFile } from '../files/spool';
import { spoolWithHash } from '../files/hashedSpool';
import { boundRowCount, checkRejectedShare, recordedRun, type PipelineRun, type RunContext } from '../runs/recordedRun';
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

/** The digest map's mark of a version this sheet has listed: content hashes are never negative. */
const SEEN = -1;
/** Rows read between progress reports. */
const PROGRESS_EVERY = 5000;
/** Bytes of a content hash: 48 bits, a whole number a JS number (and the digest map) holds exactly. */
const CONTENT_HASH_BYTES = 6;

/** 48 bits of a row's content: a changed price, date or text gives a different hash. */
function contentHash(row: PriceRow): number {
  const hash = createHash('sha1');
  // Each field ends with \u0001; an absent (null) field reads \u0000, so it differs from an empty one.
  // Later fields go in only when set, named (so that their order cannot make two rows alike).
  for (const field of PRICE_FIELDS) {
    if (!LATER_FIELDS.has(field)) hash.update(`${row[field] ?? '\u0000'}\u0001`);
    else if (row[field] !== '') hash.update(`${field}=${row[field]}\u0001`);
  }
  return hash.digest().readUIntBE(0, CONTENT_HASH_BYTES);
}

/** A removed version's key: its digest's first bytes (those the digest map keys by) as hex. */
const removalKey = (digest: Buffer) => digest.toString('hex', 0, DIGEST_KEY_BYTES);

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
    rejectedReportName: (run) => `${run.view}/${run.market}/${run.asOf}/${run.runId}.rejected.csv`,
    // Partner Center's way of saying the future list is empty: nothing to store, nothing wrong.
    successNote: (error) => (error instanceof NoPlannedChangesError ? error.message : undefined),
    work: (context) => ingestLocked(req, context),
  });
}

/** The pipeline's steps, run under the market/view/timeline lock. */
async function ingestLocked(req: IngestRequest, context: RunContext): Promise<void> {
  // 1. Spool and archive, before any parsing.
  const download = await spoolAndArchive(req, context);
  // 2–3. Parse, validate and diff against the previous snapshot.
  const comparison = await readAndCompare(req, context, download);
  // 4. Write what changed.
  await writeChanges(req, comparison, context.run.counts);
  // 5. Commit the snapshot (nothing to do when the same file was already committed for this day).
  await commitSnapshot(req, comparison, download, context.run);
}

/** The download spooled to a local file: its format, SHA-256 and archive blob. */
interface SpooledDownload {
  file: string;
  format: PriceSheetDownload['format'];
  sha256: string;
  archive: string;
}

/** What reading the sheet found, and what writing and committing need of it. */
interface Comparison {
  previous: SnapshotRecord | null;
  latest: SnapshotRecord | null;
  /** This sheet's manifest (partition key, row key and content hash of every version), spooled. */
  manifestFile: string;
  changes: ChangeWriter;
  /** Digest keys of the versions the previous snapshot listed and this sheet does not. */
  removed: Set<string>;
  /** Rows accepted. */
  valid: number;
}

async function spoolAndArchive(req: IngestRequest, { run, tmp }: RunContext): Promise<SpooledDownload> {
  const download = await req.open();
  const file = path.join(tmp, 'raw');
  const { sha256, bytes, head } = await spoolWithHash(download.body, file, (done) =>
    req.onProgress?.({ phase: 'download', done }),
  );
  const archived = await archiveFile(
    req.storage,
    `${req.view}/${req.market}/${req.asOf}/${sha256}.${archiveExtension(head)}`,
    file,
    {
      source: req.source,
      origin: encodeURIComponent(download.origin),
      runId: run.runId,
      bytes: String(bytes),
    },
  );
  run.archive = archived.name;
  return { file, format: download.format, sha256, archive: archived.name };
}

/**
 * Reads the whole sheet against the previous snapshot: counts, rejects and spools every change, and
 * fails (before anything is published) when too few rows are acceptable.
 */
async function readAndCompare(req: IngestRequest, context: RunContext, download: SpooledDownload): Promise<Comparison> {
  const { storage, settings } = req;
  const counts = context.run.counts;
  const readStarted = Date.now();
  const snapshotQuery = { market: req.market, view: req.view, timeline: req.timeline };
  const previous = await snapshotOnOrBefore(storage, { ...snapshotQuery, asOf: req.asOf });
  const latest = await latestSnapshot(storage, snapshotQuery);
  const known = await listedVersions(storage, previous);

  const manifest = openSpool(path.join(context.tmp, 'manifest.tsv'));
  const changes = createChangeWriter({
    storage,
    tmpDir: context.tmp,
    market: req.market,
    view: req.view,
    concurrency: settings.TABLE_WRITE_CONCURRENCY,
    removedAsOf: req.asOf,
    mergeStored: latest !== null,
  });
  await compareRows(req, download, { known, manifest, changes, reject: context.reject, counts });
  await closeSpool(manifest);

  const valid = counts.read - counts.rejected;
  if (valid === 0) throw new FileFault(`no valid price rows (${counts.read} read, ${counts.rejected} rejected)`);
  checkRejectedShare(counts, settings, 'rows', (message) => new FileFault(message));

  const removed = unlistedVersions(known);
  counts.removed = removed.size;
  req.logger.info('sheet read and compared', {
    rows: counts.read,
    added: counts.added,
    changed: counts.changed,
    removed: counts.removed,
    durationMs: Date.now() - readStarted,
  });
  return { previous, latest, manifestFile: manifest.file, changes, removed, valid };
}

/** The content hash of every version the snapshot lists, by version digest (empty without a snapshot). */
async function listedVersions(storage: StorageClients, snapshot: SnapshotRecord | null): Promise<DigestMap> {
  const known = new DigestMap(snapshot?.rows);
  if (snapshot)
    for await (const line of readManifest(storage, snapshot.manifest))
      known.set(versionDigest(line.partitionKey, line.rowKey), Number(line.contentHash));
  return known;
}

/** Where the rows of the sheet go as they are read. */
interface RowSinks {
  /** Content hash by version digest of the previous snapshot; each version of this sheet is set to SEEN. */
  known: DigestMap;
  manifest: SpoolFile;
  changes: ChangeWriter;
  reject: RunContext['reject'];
  counts: RunCounts;
}

/** Reads the sheet row by row: rejects what is not a valid, new row; counts and spools the rest. */
async function compareRows(req: IngestRequest, download: SpooledDownload, sinks: RowSinks): Promise<void> {
  const { known, manifest, changes, reject, counts } = sinks;
  for await (const item of readSheet(download.format, download.file, req.market)) {
    counts.read++;
    boundRowCount(counts);
    if (counts.read % PROGRESS_EVERY === 0) req.onProgress?.({ phase: 'read', done: counts.read });
    const judged = rowOf(item, req.market);
    if ('reason' in judged) {
      reject(item.line, judged.reason);
      continue;
    }
    const row = judged.row;
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
}

/** The valid price row of a line of the sheet, or why the line is rejected. */
function rowOf(item: ReadLine, market: string): { row: PriceRow } | { reason: string } {
  if ('error' in item) return { reason: item.error };
  const verdict = validatePriceRecord(item.record);
  if (!verdict.ok) return { reason: verdict.reason };
  if (verdict.row.market !== market) return { reason: `Market ${verdict.row.market} in a ${market} sheet` };
  return { row: verdict.row };
}

/** Digest keys (hex) of the versions this sheet did not list. */
function unlistedVersions(known: DigestMap): Set<string> {
  const removed = new Set<string>();
  for (const [id, state] of known.entries()) if (state !== SEEN) removed.add(removalKey(id));
  return removed;
}

/** Writes the spooled changes, plus removal marks where removals apply. */
async function writeChanges(req: IngestRequest, comparison: Comparison, counts: RunCounts): Promise<void> {
  const { previous, latest, removed, changes } = comparison;
  const writeStarted = Date.now();
  // A backfill into the past does not mark versions that later snapshots still list as removed.
  const removals = removed.size > 0 && previous !== null && removalsApply(req, latest?.asOf);
  const toWrite = counts.added + counts.changed + (removals ? removed.size : 0);
  if (removals) {
    for await (const line of readManifest(req.storage, previous.manifest)) {
      if (removed.has(removalKey(versionDigest(line.partitionKey, line.rowKey)))) await changes.removal(line);
    }
  }
  counts.entitiesWritten = await changes.commit((done) => req.onProgress?.({ phase: 'write', done, total: toWrite }));
  req.logger.info('changes written', { entities: counts.entitiesWritten, durationMs: Date.now() - writeStarted });
}

/**
 * Records the sheet as the as-of day's snapshot: its manifest (the previous one when the listing is
 * the same), then the snapshot entity, last.
 */
async function commitSnapshot(
  req: IngestRequest,
  comparison: Comparison,
  download: SpooledDownload,
  run: RunRecord,
): Promise<void> {
  const { previous, valid } = comparison;
  const counts = run.counts;
  const unchangedRerun =
    previous?.asOf === req.asOf &&
    previous.sha256 === download.sha256 &&
    counts.added + counts.changed + counts.removed === 0;
  if (unchangedRerun) return;
  const sameListing = previous !== null && counts.added + counts.changed + counts.removed === 0;
  const name = sameListing ? previous.manifest : manifestName(req.market, req.view, req.timeline, req.asOf);
  if (!sameListing) await uploadManifest(req.storage, name, comparison.manifestFile);
  await saveSnapshot(req.storage, {
    market: req.market,
    view: req.view,
    timeline: req.timeline,
    asOf: req.asOf,
    manifest: name,
    rows: valid,
    sha256: download.sha256,
    archive: download.archive,
    source: req.source,
    runId: run.runId,
    createdAt: nowInstant(),
  });
}

/**
 * Removal marks come from the current list only. A price missing from a future (preview) list is
 * unchanged, not removed (the pricing guide deletes a price through a future row's
 * EffectiveEndDate), and future versions share their entities with the current list.
 */
function removalsApply(req: Pick<IngestRequest, 'asOf' | 'timeline'>, latestAsOf: string | undefined): boolean {
  return req.timeline === 'current' && (latestAsOf === undefined || req.asOf >= latestAsOf);
}
