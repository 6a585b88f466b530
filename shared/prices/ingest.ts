import path from 'node:path';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { FileFault } from '../files/fault';
import type { Logger } from '../observability/logger';
import { redact } from '../observability/redact';
import { NoPlannedChangesError, type PriceSheetDownload } from './sources/source';
import type { PriceView, Timeline } from './views';
import { archiveExtension, archiveFile } from '../storage/archive';
import type { StorageClients } from '../storage/clients';
import type { RunCounts, RunRecord } from '../runs/ledger';
import { DateTime } from 'luxon';
import { readCommittedRuns } from './tables/committedRuns';
import { priceKeyPrefix, versionDigest } from './tables/keys';
import type { VersionChange } from './tables/versionChange';
import { pointAt } from './listing';
import { DIGEST_KEY_BYTES, DigestMap } from './digestMap';
import {
  manifestName,
  readManifest,
  saveSnapshot,
  snapshotAfter,
  snapshotOnOrBefore,
  latestSnapshot,
  uploadManifest,
  type SnapshotRecord,
} from './tables/snapshots';
import { createChangeWriter, type ChangeWriter } from './writes';
import { appendLine, closeSpool, openSpool, type SpoolFile } from '../files/spool';
import { spoolWithHash } from '../files/hashedSpool';
import { boundRowCount, checkRejectedShare, recordedRun, type PipelineRun, type RunContext } from '../runs/recordedRun';
import { startReading, type SheetReading } from './sheetReader';
import type { AcceptedLine } from './sheetLines';

/**
 * The one price pipeline (timer refresh, CLI refresh/ingest, blob uploads):
 *  1. spool the download to a temp file, hashing it; start uploading the raw bytes to the archive,
 *     which runs while steps 2–3 read the spooled file and is complete before step 4 (a refused file
 *     too: the run waits for its archive whatever the read found);
 *  2. stream-parse and validate every row with the one row schema (on a worker thread for a large
 *     file, sheetReader.ts, while step 3 loads the manifests);
 *  3. diff against the latest snapshot on or before the as-of day (manifest of version hashes);
 *     too many rejected rows or a broken file fail here, before anything is published;
 *  4. write only added/changed/removed versions, ≤100 per transaction, in parallel across partitions,
 *     while the sheet's manifest uploads (when the snapshot needs one of its own);
 *  5. commit: once the writes and the manifest are complete, the snapshot entity; record the run in the ledger.
 * Every write is an idempotent upsert and the snapshot entity is written last, so a run killed
 * half-way is finished by simply running it again. Overlapped steps both always settle before the run
 * goes on or fails, and a failure is reported as if they had run one after the other (see inOrder).
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
  /** The operator confirmed that the sheet may remove more than REMOVAL_GUARD_PERCENT of the listed prices. */
  allowMassRemoval?: boolean;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  phase: 'download' | 'read' | 'write';
  done: number;
  total?: number;
}

/** Rows read between progress reports. */
const PROGRESS_EVERY = 5000;
/** Percent: a share of 100. */
const PERCENT = 100;

/**
 * The digest map's value of a version: the content hash the base snapshot lists (0 if none) × 16
 * plus flags saying which snapshots list it (48 + 4 bits: a JS number holds them exactly).
 */
const IN_BEFORE = 1;
const IN_SAME_DAY = 2;
const IN_AFTER = 4;
const IN_SHEET = 8;
const FLAG_SPAN = 16;

/** A version's key in a set of digests: its digest's first bytes (those the digest map keys by) as hex. */
const digestKey = (digest: Buffer) => digest.toString('hex', 0, DIGEST_KEY_BYTES);

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
  const { run } = context;
  // 1. Spool; the archive upload starts as soon as the file is complete, and runs while it is read.
  const download = await spool(req, context);
  const archived = archive(req, run, download);
  // 2–3. Parse, validate and compare with the snapshots around the as-of day. The archive is complete
  // (or the run failed) before anything is written, and before a refused file's run ends.
  const [, comparison] = await inOrder(req.logger, archived, readAndCompare(req, context, download));
  // 4. Write what changed; the sheet's manifest, when it needs one, uploads meanwhile.
  const manifest = manifestOf(req, comparison, run);
  await inOrder(
    req.logger,
    writeChanges(req, comparison, run.counts),
    manifest.upload ? uploadManifest(req.storage, manifest.name, comparison.manifestFile) : Promise.resolve(),
  );
  // 5. Commit the snapshot (nothing to do when the same file was already committed for this day).
  await commitSnapshot(req, comparison, download, run, manifest.name);
}

/**
 * Awaits two steps that run at once, the earlier one of the pipeline first in the arguments, as if they
 * had run one after the other: both always settle before this does (nothing is left running, no rejection
 * unhandled), and when both fail, the earlier step's failure is the run's, as it was when the later step
 * never started; the other is logged.
 *
 * For the archive and the read this means that a storage failure of the archive wins over a FileFault of
 * the read. That is deliberate: a FileFault refuses the file for good (an upload goes to quarantine and
 * is never retried, the CLI exits 2; see files/fault.ts, runs/recordedRun.ts), which is only right once
 * the refused bytes are archived — the archive is how an operator sees what was refused, and a refresh
 * has no other copy. A run whose archive failed is not the file's fault: it fails retryably (the upload
 * stays in place and its event is delivered again), and the retry archives the file and refuses it then.
 */
async function inOrder<A, B>(logger: Logger, earlier: Promise<A>, later: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([earlier, later]);
  if (first.status === 'rejected') {
    if (second.status === 'rejected')
      logger.warn("an overlapping later step failed too; the earlier step's failure is the run's", {
        error: redact((second.reason as Error).message),
      });
    throw first.reason;
  }
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

/** The download spooled to a local file: its format, origin, size, SHA-256 and archive blob name. */
interface SpooledDownload {
  file: string;
  format: PriceSheetDownload['format'];
  origin: string;
  bytes: number;
  sha256: string;
  archive: string;
}

/** The committed snapshots around the sheet's day that its listing is compared with. */
interface Neighbours {
  /** The latest snapshot before the day. */
  before: SnapshotRecord | null;
  /** The snapshot of the day itself, which this sheet replaces. */
  sameDay: SnapshotRecord | null;
  /** The earliest snapshot after the day: its listing points depend on this one (current timeline only). */
  after: SnapshotRecord | null;
}

/** What reading the sheet found, and what writing and committing need of it. */
interface Comparison {
  neighbours: Neighbours;
  /** Flags and base content hash of every version the neighbours or the sheet list, by digest. */
  listed: DigestMap;
  /** This sheet's manifest (partition key, row key and content hash of every version), spooled. */
  manifestFile: string;
  changes: ChangeWriter;
  /** Digest keys of the versions the sheet does not list whose listing points it changes. */
  revisit: Set<string>;
  /** Rows accepted. */
  valid: number;
}

async function spool(req: IngestRequest, { tmp }: RunContext): Promise<SpooledDownload> {
  const download = await req.open();
  const file = path.join(tmp, 'raw');
  const { sha256, bytes, head } = await spoolWithHash(download.body, file, (done) =>
    req.onProgress?.({ phase: 'download', done }),
  );
  return {
    file,
    format: download.format,
    origin: download.origin,
    bytes,
    sha256,
    archive: `${req.view}/${req.market}/${req.asOf}/${sha256}.${archiveExtension(head)}`,
  };
}

/** Uploads the spooled file, unchanged, to the archive; the run names it once it is there. */
async function archive(req: IngestRequest, run: RunRecord, download: SpooledDownload): Promise<void> {
  const archived = await archiveFile(req.storage, download.archive, download.file, {
    source: req.source,
    origin: encodeURIComponent(download.origin),
    runId: run.runId,
    bytes: String(download.bytes),
  });
  run.archive = archived.name;
}

/**
 * Reads the whole sheet against the snapshots around its day: counts, rejects and spools every
 * change, and fails (before anything is published) when too few rows are acceptable or the sheet
 * would remove too much.
 */
async function readAndCompare(req: IngestRequest, context: RunContext, download: SpooledDownload): Promise<Comparison> {
  const { settings } = req;
  const counts = context.run.counts;
  const readStarted = Date.now();
  // The sheet's lines are judged (on a worker thread) while the snapshots' manifests load.
  const reading = startReading({ format: download.format, file: download.file, market: req.market, view: req.view });
  const manifest = openSpool(path.join(context.tmp, 'manifest.tsv'));
  const { neighbours, listed, basePrices, changes } = await compareSheet(req, context, reading, manifest).finally(() =>
    Promise.all([reading.stop(), closeSpool(manifest)]),
  );

  const valid = counts.read - counts.rejected;
  if (valid === 0) throw new FileFault(`no valid price rows (${counts.read} read, ${counts.rejected} rejected)`);
  checkRejectedShare(counts, settings, 'rows', (message) => new FileFault(message));

  const { revisit } = unlistedVersions(req, neighbours, listed, counts);
  checkRemovalShare(req, basePrices);
  req.logger.info('sheet read and compared', {
    rows: counts.read,
    added: counts.added,
    changed: counts.changed,
    removed: counts.removed,
    durationMs: Date.now() - readStarted,
  });
  return { neighbours, listed, manifestFile: manifest.file, changes, revisit, valid };
}

/** Compares the sheet's lines with the snapshots around its day, spooling what changes. */
async function compareSheet(req: IngestRequest, context: RunContext, reading: SheetReading, manifest: SpoolFile) {
  const { storage, settings } = req;
  const neighbours = await neighboursOf(storage, req);
  const [{ listed, basePrices }, mergeStored, committed] = await Promise.all([
    listedByNeighbours(storage, neighbours),
    hasStoredVersions(storage, req, neighbours),
    // Under the lock no other run commits meanwhile: the runs committed now are those this run builds on.
    readCommittedRuns(storage, req.market, req.view),
  ]);
  const changes = createChangeWriter({
    storage,
    tmpDir: context.tmp,
    market: req.market,
    view: req.view,
    concurrency: settings.TABLE_WRITE_CONCURRENCY,
    asOf: req.asOf,
    mergeStored,
    runId: context.run.runId,
    committed,
  });
  const sinks = {
    neighbours,
    listed,
    basePrices,
    manifest,
    changes,
    reject: context.reject,
    counts: context.run.counts,
  };
  await compareRows(req, reading, sinks);
  return sinks;
}

/** The day before a day (YYYY-MM-DD), in UTC. */
const dayBefore = (day: string) => DateTime.fromISO(day, { zone: 'utc' }).minus({ days: 1 }).toISODate() as string;

async function neighboursOf(storage: StorageClients, req: IngestRequest): Promise<Neighbours> {
  const q = { market: req.market, view: req.view, timeline: req.timeline };
  const [before, onDay, after] = await Promise.all([
    snapshotOnOrBefore(storage, { ...q, asOf: dayBefore(req.asOf) }),
    snapshotOnOrBefore(storage, { ...q, asOf: req.asOf }),
    // A future list marks nothing, so only the current timeline needs the next snapshot.
    req.timeline === 'current' ? snapshotAfter(storage, { ...q, asOf: req.asOf }) : null,
  ]);
  return { before, sameDay: onDay?.asOf === req.asOf ? onDay : null, after };
}

/**
 * Whether versions may be stored already: any snapshot of the market and view (future license-based
 * lists share their versions with the current list). Without one, nothing need be read before writing.
 */
async function hasStoredVersions(storage: StorageClients, req: IngestRequest, n: Neighbours): Promise<boolean> {
  if (n.before || n.sameDay || n.after) return true;
  const other = req.timeline === 'current' ? 'future' : 'current';
  return (await latestSnapshot(storage, { market: req.market, view: req.view, timeline: other })) !== null;
}

/** The snapshot the sheet's counts are taken against: the one it replaces, else the one before it. */
const baseOf = (n: Neighbours) => n.sameDay ?? n.before;
/** Whether the base snapshot lists a version with these flags. */
const baseLists = (n: Neighbours, flags: number) => (flags & (n.sameDay ? IN_SAME_DAY : IN_BEFORE)) !== 0;

/**
 * What the neighbours list: the flags and base content hash of every version, by version digest; and
 * the prices (not versions) the base snapshot lists, by price digest. One read of each manifest.
 */
async function listedByNeighbours(storage: StorageClients, n: Neighbours) {
  const listed = new DigestMap((n.before?.rows ?? 0) + (n.sameDay?.rows ?? 0) + (n.after?.rows ?? 0) || undefined);
  const base = baseOf(n);
  const basePrices = new DigestMap(base?.rows || undefined);
  const snapshots: [SnapshotRecord | null, number][] = [
    [n.before, IN_BEFORE],
    [n.sameDay, IN_SAME_DAY],
    [n.after, IN_AFTER],
  ];
  for (const [snapshot, flag] of snapshots) {
    if (!snapshot) continue;
    for await (const line of readManifest(storage, snapshot.manifest)) {
      const id = versionDigest(line.partitionKey, line.rowKey);
      const state = listed.get(id) ?? 0;
      const hash = snapshot === base ? Number(line.contentHash) : Math.floor(state / FLAG_SPAN);
      listed.set(id, hash * FLAG_SPAN + ((state % FLAG_SPAN) | flag));
      if (snapshot === base) basePrices.set(priceDigest(line.partitionKey, line.rowKey), 0);
    }
  }
  return { listed, basePrices };
}

/**
 * The listing points this sheet sets on a version (at its day, and at the next snapshot's day), and
 * whether they differ from those the committed snapshots gave it. See listing.ts.
 */
function listingPoints(req: IngestRequest, n: Neighbours, flags: number) {
  const points: VersionChange['points'] = [];
  if (req.timeline !== 'current') return { points, changed: false };
  const [inBefore, inSameDay, inAfter, inSheet] = [IN_BEFORE, IN_SAME_DAY, IN_AFTER, IN_SHEET].map(
    (flag) => (flags & flag) !== 0,
  );
  const atDay = pointAt(inBefore, inSheet);
  let changed = atDay !== (n.sameDay ? pointAt(inBefore, inSameDay) : null);
  points.push([req.asOf, atDay]);
  if (n.after) {
    const atAfter = pointAt(inSheet, inAfter);
    changed ||= atAfter !== pointAt(n.sameDay ? inSameDay : inBefore, inAfter);
    points.push([n.after.asOf, atAfter]);
  }
  return { points, changed };
}

/** Where the rows of the sheet go as they are read. */
interface RowSinks {
  neighbours: Neighbours;
  /** Flags by version digest; each version of this sheet gets IN_SHEET. */
  listed: DigestMap;
  /** The prices the base snapshot lists, by price digest: LISTED_AGAIN once the sheet lists one of its versions. */
  basePrices: DigestMap;
  manifest: SpoolFile;
  changes: ChangeWriter;
  reject: RunContext['reject'];
  counts: RunCounts;
}

/** Reads the sheet's judged lines: rejects what is not a valid, new row; counts and spools the rest. */
async function compareRows(req: IngestRequest, reading: SheetReading, sinks: RowSinks): Promise<void> {
  for await (const lines of reading)
    for (const line of lines) {
      sinks.counts.read++;
      boundRowCount(sinks.counts);
      if (sinks.counts.read % PROGRESS_EVERY === 0) req.onProgress?.({ phase: 'read', done: sinks.counts.read });
      if ('reason' in line) sinks.reject(line.line, line.reason);
      else await compareRow(req, line, sinks);
    }
}

/** Compares an accepted row with the snapshots around its day; counts and spools what it changes. */
async function compareRow(req: IngestRequest, line: AcceptedLine, sinks: RowSinks): Promise<void> {
  const { neighbours, listed, basePrices, manifest, changes, reject, counts } = sinks;
  const { partitionKey, rowKey, hash } = line;
  const id = versionDigest(partitionKey, rowKey);
  const state = listed.get(id) ?? 0;
  const flags = state % FLAG_SPAN;
  if (flags & IN_SHEET) {
    reject(line.line, 'duplicate: the same price and EffectiveStartDate as an earlier row');
    return;
  }
  const inBase = baseLists(neighbours, flags);
  const baseHash = Math.floor(state / FLAG_SPAN);
  if (!inBase) counts.added++;
  else if (baseHash !== hash) counts.changed++;
  else counts.unchanged++;
  listed.set(id, state + IN_SHEET);
  // Without a base snapshot (a cold ingest) there is no price to mark, nor a digest to take.
  if (basePrices.size > 0) {
    const price = priceDigest(partitionKey, rowKey);
    if (basePrices.get(price) !== undefined) basePrices.set(price, LISTED_AGAIN);
  }

  const { points, changed } = listingPoints(req, neighbours, flags | IN_SHEET);
  // The stored content is the latest-dated listing's: with a later snapshot that does not list the
  // version, only the stored day can tell; without one, the base snapshot's hash does.
  const contentMayChange =
    req.timeline === 'current' && neighbours.after ? (flags & IN_AFTER) === 0 : !(inBase && baseHash === hash);
  if (changed || contentMayChange) await changes.change(partitionKey, rowKey, points, line.content);
  if (!inBase && line.meter !== null) await changes.indexMeter(line.meter);
  // Content the base lists unchanged was indexed by the base's ingest (see tables/searchIndex.ts).
  if (!inBase || baseHash !== hash) await changes.indexSearch(line.search);
  await appendLine(manifest, `${partitionKey}\t${rowKey}\t${hash}`);
}

/**
 * Counts the versions the base snapshot lists and the sheet does not (removed), and collects those
 * not in the sheet whose listing points change.
 */
function unlistedVersions(req: IngestRequest, n: Neighbours, listed: DigestMap, counts: RunCounts) {
  const revisit = new Set<string>();
  counts.removed = 0;
  for (const [id, state] of listed.entries()) {
    const flags = state % FLAG_SPAN;
    if (baseLists(n, flags) && (flags & IN_SHEET) === 0) counts.removed++;
    if ((flags & IN_SHEET) === 0 && listingPoints(req, n, flags).changed) revisit.add(digestKey(id));
  }
  return { revisit };
}

/** Marks a base price that the sheet lists again (with any version). */
const LISTED_AGAIN = 1;

/** A price's digest: its partition and row key without the effective start date. */
const priceDigest = (partitionKey: string, rowKey: string) => versionDigest(partitionKey, priceKeyPrefix(rowKey));

/**
 * The removal guard: a current sheet that drops more than REMOVAL_GUARD_PERCENT of the prices its market
 * and view listed is far more likely a truncated or wrong file than a Partner Center change, so it fails
 * and publishes nothing unless the operator confirmed it. It counts prices, not versions: a price whose
 * version is replaced by a new one (a new EffectiveStartDate, the usual price change) is not removed.
 */
function checkRemovalShare(req: IngestRequest, basePrices: DigestMap): void {
  let removed = 0;
  for (const [, state] of basePrices.entries()) if (state !== LISTED_AGAIN) removed++;
  const listed = basePrices.size;
  const limit = req.settings.REMOVAL_GUARD_PERCENT;
  if (req.timeline !== 'current' || req.allowMassRemoval || removed * PERCENT <= limit * listed) return;
  const share = ((removed * PERCENT) / listed).toFixed(2);
  throw new FileFault(
    `the sheet would remove ${removed} of the ${listed} prices listed before it (${share} %, ` +
      `limit REMOVAL_GUARD_PERCENT ${limit} %); nothing was published. If Partner Center really removed them, ` +
      'ingest it again with --allow-mass-removal (uploads: blob metadata allowmassremoval=true)',
  );
}

/** Writes the spooled changes, plus the listing points of versions the sheet does not list. */
async function writeChanges(req: IngestRequest, comparison: Comparison, counts: RunCounts): Promise<void> {
  const { neighbours, listed, revisit, changes } = comparison;
  const writeStarted = Date.now();
  const toWrite = counts.added + counts.changed + revisit.size;
  for (const snapshot of [neighbours.before, neighbours.sameDay, neighbours.after]) {
    if (!snapshot || revisit.size === 0) continue;
    for await (const line of readManifest(req.storage, snapshot.manifest)) {
      const id = versionDigest(line.partitionKey, line.rowKey);
      // Each version once, though several neighbours may list it.
      if (!revisit.delete(digestKey(id))) continue;
      const { points } = listingPoints(req, neighbours, (listed.get(id) ?? 0) % FLAG_SPAN);
      await changes.change(line.partitionKey, line.rowKey, points);
    }
  }
  counts.entitiesWritten = await changes.commit((done) => req.onProgress?.({ phase: 'write', done, total: toWrite }));
  req.logger.info('changes written', { entities: counts.entitiesWritten, durationMs: Date.now() - writeStarted });
}

/**
 * The manifest the snapshot names: the base snapshot's when the sheet lists the same versions (shared:
 * never overwritten, names are per run), else one of its own, to upload. Known once the sheet is read:
 * the counts it looks at are final then (only entitiesWritten is not, and it does not look at it), so the
 * upload can run while the changes are written. An upload is never wasted on a commit skipped as an
 * unchanged rerun: that needs a same-day snapshot (so a base) and no version added, changed or removed,
 * which is a same listing.
 */
function manifestOf(req: IngestRequest, { neighbours }: Comparison, run: RunRecord) {
  const { added, changed, removed } = run.counts;
  const base = baseOf(neighbours);
  if (base !== null && added + changed + removed === 0) return { name: base.manifest, upload: false };
  return { name: manifestName(req.market, req.view, req.timeline, req.asOf, run.runId), upload: true };
}

/**
 * Records the sheet as the as-of day's snapshot: the snapshot entity, naming its manifest (uploaded by
 * then, see manifestOf), last.
 */
async function commitSnapshot(
  req: IngestRequest,
  comparison: Comparison,
  download: SpooledDownload,
  run: RunRecord,
  manifest: string,
): Promise<void> {
  const { neighbours, valid } = comparison;
  const counts = run.counts;
  const unchangedRerun =
    neighbours.sameDay?.sha256 === download.sha256 &&
    counts.added + counts.changed + counts.removed + counts.entitiesWritten === 0;
  if (unchangedRerun) return;
  await saveSnapshot(req.storage, {
    market: req.market,
    view: req.view,
    timeline: req.timeline,
    asOf: req.asOf,
    manifest,
    rows: valid,
    sha256: download.sha256,
    archive: download.archive,
    source: req.source,
    runId: run.runId,
    earlierRunIds: neighbours.sameDay ? [...neighbours.sameDay.earlierRunIds, neighbours.sameDay.runId] : [],
    createdAt: nowInstant(),
  });
}
