import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import type { Settings } from '../config/settings';
import { nowInstant } from '../core/dates';
import { StructuralError } from '../prices/records';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import type { MoveResult } from '../storage/blobMove';
import { statusOf } from '../storage/errors';
import type { RunCounts, RunRecord } from '../runs/ledger';
import { ingestPriceSheet, snapshotOnOrBefore } from '../prices';
import {
  earlierReport,
  moveUpload,
  placedNameIn,
  uploadAreas,
  writeReportJson,
  type UploadArea,
  type UploadAreas,
  type UploadedBlob,
} from './areas';
import { planUpload, type UploadPlan } from './plan';
import { UploadRefusedError } from './labels';
import { ingestRates, rateSnapshotOnOrBefore } from '../rates';

/**
 * A file dropped into the price upload container (README: Blob-drop uploads), handled end to end:
 *  1. read this version of the blob (ETag) as a stream into a temp file, hashing it — never into memory;
 *  2. plan it: kind from the header (price sheet or FX rates), market / view / as-of / timeline from
 *     the rows, the path and the metadata; anything ambiguous or contradictory is refused;
 *  3. the same bytes as the snapshot already in force for that list → a duplicate: nothing is stored;
 *  4. otherwise the one price pipeline (or the rates pipeline), exactly as the refresh runs it;
 *  5. report + move to the processed area, or to quarantine when the file is at fault.
 * A failure that is not the file's (storage, a lock held too long) is thrown: the event is
 * delivered again (Event Grid retries, then its dead-letter destination), and every step converges.
 */

export type UploadStatus = 'processed' | 'duplicate' | 'quarantined';

export interface UploadReport {
  status: UploadStatus;
  /** Why it was quarantined, or what it duplicates; null when processed. */
  reason: string | null;
  upload: {
    container: string;
    name: string;
    etag: string;
    bytes: number;
    lastModified: string;
    sha256: string | null;
    metadata: Record<string, string>;
  };
  kind: 'price-sheet' | 'exchange-rates' | null;
  market: string | null;
  view: string | null;
  timeline: string | null;
  asOf: string | null;
  /** Where each of market, view, timeline and as-of came from (rows, metadata, path, upload day, default). */
  from: Record<string, string>;
  notes: string[];
  runId: string | null;
  counts: RunCounts | null;
  /** The raw file in the archive container (by content hash). */
  archive: string | null;
  /** Rejected rows with their line in the CSV (the first MAX_LISTED_REJECTS; the full list is `rejectedRowsReport`). */
  rejectedRows: { line: number; reason: string }[];
  rejectedRowsReport: string | null;
  duplicateOf: { source: string; runId: string; asOf: string; archive: string } | null;
  /** Where the upload now is: `{container}/{name}` (filled in when placed). */
  file: string;
  handledAt: string;
}

export type UploadOutcome =
  | (UploadReport & { move: MoveResult })
  /** Not there any more: an earlier delivery of the same event moved it. */
  | { status: 'gone'; upload: { name: string } };

export interface UploadRequest {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
  blobName: string;
}

const MAX_LISTED_REJECTS = 1000;

export async function processPriceUpload(req: UploadRequest): Promise<UploadOutcome> {
  const { storage, logger, blobName } = req;
  await ensureStorage(storage);
  const areas = uploadAreas(storage);
  const source = areas.uploads.getBlobClient(blobName);
  const upload = await uploadedBlob(source, blobName);
  if (!upload) {
    logger.info('price upload already handled', { file: blobName });
    return { status: 'gone', upload: { name: blobName } };
  }

  const earlier = await earlierReport<UploadReport>(areas, upload);
  if (earlier) {
    logger.info('finishing the move of an upload handled before', { file: blobName, status: earlier.report.status });
    return { ...earlier.report, move: await moveUpload(areas, earlier.area, earlier.placedName, upload) };
  }

  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'csp-upload-'));
  try {
    const file = path.join(tmp, 'upload');
    const sha256 = await spoolBlob(source, upload, file);
    const report = await handle(req, areas, upload, file, sha256);
    return await place(areas, upload, report, logger);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

async function uploadedBlob(source: BlobClient, name: string): Promise<UploadedBlob | null> {
  try {
    const p = await source.getProperties();
    return {
      name,
      etag: (p.etag ?? '').replace(/"/g, ''),
      lastModified: p.lastModified ?? new Date(),
      bytes: p.contentLength ?? 0,
      metadata: p.metadata ?? {},
    };
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

/** Streams this version of the blob (If-Match) to a local file, hashing it on the way. */
async function spoolBlob(source: BlobClient, upload: UploadedBlob, file: string): Promise<string> {
  const hash = createHash('sha256');
  const download = await source.download(0, undefined, {
    conditions: { ifMatch: `"${upload.etag}"` },
    maxRetryRequests: 5,
  });
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(download.readableStreamBody as NodeJS.ReadableStream, tap, fs.createWriteStream(file));
  return hash.digest('hex');
}

function baseReport(areas: UploadAreas, upload: UploadedBlob, sha256: string): UploadReport {
  return {
    status: 'quarantined',
    reason: null,
    upload: {
      container: areas.uploads.containerName,
      name: upload.name,
      etag: upload.etag,
      bytes: upload.bytes,
      lastModified: upload.lastModified.toISOString(),
      sha256,
      metadata: upload.metadata,
    },
    kind: null,
    market: null,
    view: null,
    timeline: null,
    asOf: null,
    from: {},
    notes: [],
    runId: null,
    counts: null,
    archive: null,
    rejectedRows: [],
    rejectedRowsReport: null,
    duplicateOf: null,
    file: '',
    handledAt: '',
  };
}

async function handle(
  req: UploadRequest,
  areas: UploadAreas,
  upload: UploadedBlob,
  file: string,
  sha256: string,
): Promise<UploadReport> {
  const report = baseReport(areas, upload, sha256);
  let plan: UploadPlan;
  try {
    plan = await planUpload(file, upload);
  } catch (e) {
    if (!(e instanceof UploadRefusedError || e instanceof StructuralError)) throw e;
    return { ...report, reason: e.message };
  }
  Object.assign(report, {
    kind: plan.kind,
    market: plan.market,
    view: plan.view,
    timeline: plan.timeline,
    asOf: plan.asOf,
    from: plan.from,
    notes: plan.notes,
  });
  return plan.kind === 'exchange-rates'
    ? handleRates(req, report, plan, file, sha256)
    : handlePrices(req, report, plan, file, sha256);
}

/** The source named in the ledger and the snapshot: a later duplicate report points back to it. */
const sourceOf = (report: UploadReport) => `upload:${report.upload.name}`;
const originOf = (report: UploadReport) => `${report.upload.container}/${report.upload.name}`;

async function handlePrices(
  req: UploadRequest,
  report: UploadReport,
  plan: UploadPlan & { kind: 'price-sheet' },
  file: string,
  sha256: string,
): Promise<UploadReport> {
  const { storage, settings, logger } = req;
  const list = { market: plan.market, view: plan.view, timeline: plan.timeline };
  const inForce = await snapshotOnOrBefore(storage, { ...list, asOf: plan.asOf });
  if (inForce?.sha256 === sha256) return duplicate(report, inForce);

  const run = await ingestPriceSheet({
    storage,
    settings,
    logger,
    open: async () => ({ body: fs.createReadStream(file), format: 'partnercenter-csv', origin: originOf(report) }),
    kind: 'upload',
    source: sourceOf(report),
    ...list,
    asOf: plan.asOf,
  });
  if (run.outcome === 'failed' && !run.fileFault)
    throw new Error(`price upload ${report.upload.name} failed, to be retried: ${run.error}`);
  return withRun(req.storage, report, run);
}

async function handleRates(
  req: UploadRequest,
  report: UploadReport,
  plan: UploadPlan & { kind: 'exchange-rates' },
  file: string,
  sha256: string,
): Promise<UploadReport> {
  const { storage, settings, logger } = req;
  const inForce = await rateSnapshotOnOrBefore(storage, plan.asOf);
  if (inForce?.sha256 === sha256) return duplicate(report, inForce);

  const run = await ingestRates({
    storage,
    settings,
    logger,
    open: async () => ({ body: fs.createReadStream(file), origin: originOf(report) }),
    kind: 'ingest',
    source: sourceOf(report),
    asOf: plan.asOf,
  });
  if (run.outcome === 'failed' && !run.fileFault)
    throw new Error(`exchange-rate upload ${report.upload.name} failed, to be retried: ${run.error}`);
  return withRun(storage, report, run);
}

function duplicate(
  report: UploadReport,
  inForce: { source: string; runId: string; asOf: string; archive: string },
): UploadReport {
  const duplicateOf = { source: inForce.source, runId: inForce.runId, asOf: inForce.asOf, archive: inForce.archive };
  return {
    ...report,
    status: 'duplicate',
    reason: `duplicate of ${inForce.source} (run ${inForce.runId}, as of ${inForce.asOf}): the same bytes are already the list in force; nothing was stored`,
    duplicateOf,
    archive: inForce.archive,
  };
}

async function withRun(storage: StorageClients, report: UploadReport, run: RunRecord): Promise<UploadReport> {
  return {
    ...report,
    status: run.outcome === 'succeeded' ? 'processed' : 'quarantined',
    reason: run.error,
    runId: run.runId,
    counts: run.counts,
    archive: run.archive,
    rejectedRows: run.rejectedReport ? await rejectedRows(storage, run.rejectedReport) : [],
    rejectedRowsReport: run.rejectedReport ? `${storage.names.containers.reports}/${run.rejectedReport}` : null,
  };
}

/** The pipeline's rejected-rows report (`line,reason` CSV in the reports container), first rows. */
async function rejectedRows(storage: StorageClients, name: string): Promise<UploadReport['rejectedRows']> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.reports).getBlobClient(name);
  const text = (await blob.downloadToBuffer()).toString('utf8');
  const records = parse<{ line: string; reason: string }>(text, {
    columns: true,
    comment: '#',
    skip_empty_lines: true,
    to: MAX_LISTED_REJECTS,
  });
  return records.map((r) => ({ line: Number(r.line), reason: r.reason }));
}

async function place(
  areas: UploadAreas,
  upload: UploadedBlob,
  report: UploadReport,
  logger: Logger,
): Promise<UploadOutcome> {
  const area: UploadArea = report.status === 'quarantined' ? 'quarantine' : 'processed';
  const placedName = await placedNameIn(areas[area], upload);
  const placed: UploadReport = {
    ...report,
    file: `${areas[area].containerName}/${placedName}`,
    handledAt: nowInstant(),
  };
  await writeReportJson(areas[area], placedName, placed);
  const move = await moveUpload(areas, area, placedName, upload);
  // Reasons name the file's faults (columns, line numbers), never its rows' content.
  logger.event('PriceUploadHandled', {
    file: upload.name,
    status: placed.status,
    kind: placed.kind,
    market: placed.market,
    view: placed.view,
    timeline: placed.timeline,
    asOf: placed.asOf,
    reason: placed.reason,
    runId: placed.runId,
    placedAt: placed.file,
    move,
  });
  return { ...placed, move };
}
