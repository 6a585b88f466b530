import path from 'node:path';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { FileFault } from '../files/fault';
import type { Logger } from '../observability/logger';
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
import { readJudgedLines } from './sheetReader';
import type { AcceptedLine } from './sheetLines';

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
  // 1. Spool and archive, before any parsing.
  const download = await spoolAndArchive(req, context);
  // 2–3. Parse, validate and compare with the snapshots around the as-of day.
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
 * Reads the whole sheet against the snapshots around its day: counts, rejects and spools every
 * change, and fails (before anything is published) when too few rows are acceptable or the sheet
 * would remove too much.
 */
async function readAndCompare(req: IngestRequest, context: RunContext, download: SpooledDownload): Promise<Comparison> {
  const { storage, settings } = req;
  const counts = context.run.counts;
  const readStarted = Date.now();
  const neighbours = await neighboursOf(storage, req);
  const listed = await listedVersions(storage, neighbours);
  const basePrices = await listedPrices(storage, baseOf(neighbours));

  const manifest = openSpool(path.join(context.tmp, 'manifest.tsv'));
  const changes = createChangeWriter({
    storage,
    tmpDir: context.tmp,
    market: req.market,
    view: req.view,
    concurrency: settings.TABLE_WRITE_CONCURRENCY,
    asOf: req.asOf,
    mergeStored: await hasStoredVersions(storage, req, neighbours),
    runId: context.run.runId,
    // Under the lock no other run commits meanwhile: the runs committed now are those this run builds on.
    committed: await readCommittedRuns(storage, req.market, req.view),
  });
  const sinks = { neighbours, listed, basePrices, manifest, changes, reject: context.reject, counts };
  await compareRows(req, download, sinks);
  await closeSpool(manifest);

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

/** The flags and base content hash of every version the neighbours list, by version digest. */
async function listedVersions(storage: StorageClients, n: Neighbours): Promise<DigestMap> {
  const listed = new DigestMap((n.before?.rows ?? 0) + (n.sameDay?.rows ?? 0) + (n.after?.rows ?? 0) || undefined);
  const snapshots: [SnapshotRecord | null, number][] = [
    [n.before, IN_BEFORE],
    [n.sameDay, IN_SAME_DAY],
    [n.after, IN_AFTER],
  ];
  const base = baseOf(n);
  for (const [snapshot, flag] of snapshots) {
    if (!snapshot) continue;
    for await (const line of readManifest(storage, snapshot.manifest)) {
      const id = versionDigest(line.partitionKey, line.rowKey);
      const state = listed.get(id) ?? 0;
      const hash = snapshot === base ? Number(line.contentHash) : Math.floor(state / FLAG_SPAN);
      listed.set(id, hash * FLAG_SPAN + ((state % FLAG_SPAN) | flag));
    }
  }
  return listed;
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
async function compareRows(req: IngestRequest, download: SpooledDownload, sinks: RowSinks): Promise<void> {
  const source = { format: download.format, file: download.file, market: req.market, view: req.view };
  for await (const lines of readJudgedLines(source))
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

/** The prices (not versions) a snapshot lists, by price digest. */
async function listedPrices(storage: StorageClients, snapshot: SnapshotRecord | null): Promise<DigestMap> {
  const prices = new DigestMap(snapshot?.rows || undefined);
  if (snapshot)
    for await (const line of readManifest(storage, snapshot.manifest))
      prices.set(priceDigest(line.partitionKey, line.rowKey), 0);
  return prices;
}

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
 * Records the sheet as the as-of day's snapshot: its manifest (the base snapshot's when the listing is
 * the same), then the snapshot entity, last.
 */
async function commitSnapshot(
  req: IngestRequest,
  comparison: Comparison,
  download: SpooledDownload,
  run: RunRecord,
): Promise<void> {
  const { neighbours, valid } = comparison;
  const counts = run.counts;
  const unchangedRerun =
    neighbours.sameDay?.sha256 === download.sha256 &&
    counts.added + counts.changed + counts.removed + counts.entitiesWritten === 0;
  if (unchangedRerun) return;
  // The same listing as the base snapshot: share its manifest (never overwritten: names are per run).
  const base = baseOf(neighbours);
  const sameListing = base !== null && counts.added + counts.changed + counts.removed === 0;
  const name = sameListing ? base.manifest : manifestName(req.market, req.view, req.timeline, req.asOf, run.runId);
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
    earlierRunIds: neighbours.sameDay ? [...neighbours.sameDay.earlierRunIds, neighbours.sameDay.runId] : [],
    createdAt: nowInstant(),
  });
}
