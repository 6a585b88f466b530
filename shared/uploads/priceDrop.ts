import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import type { Settings } from '../config/settings';
import { FileFault } from '../files/fault';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import type { RunCounts, RunRecord } from '../runs/ledger';
import { ingestPriceSheet, snapshotOnOrBefore } from '../prices';
import {
  handleUpload,
  readUpload,
  uploadIdentity,
  type Placement,
  type UploadOutcome,
  type UploadReportBase,
} from './placement';
import { planUpload, type UploadPlan } from './plan';
import { ingestRates, rateSnapshotOnOrBefore } from '../rates';

/**
 * A file dropped into the price upload container (docs/operations.md: Uploads), handled end to end:
 *  1. read this version of the blob (ETag) as a stream into a temp file, hashing it — never into memory;
 *  2. plan it (shared/uploads/classify): kind from the header (price sheet or FX rates), market / view /
 *     as-of / timeline from the rows, the path and the metadata; anything ambiguous or contradictory is refused;
 *  3. the same bytes as the snapshot already in force for that list → a duplicate: nothing is stored;
 *  4. otherwise the one price pipeline (or the rates pipeline), exactly as the refresh runs it;
 *  5. placed like every upload (shared/uploads/placement): report and move to the processed area, or to
 *     quarantine when the file is at fault (a FileFault, or a run that failed with one).
 * A failure that is not the file's (storage, a lock held too long) is thrown: the event is
 * delivered again (Event Grid retries, then its dead-letter destination), and every step converges.
 */

export type PriceUploadStatus = 'processed' | 'duplicate' | 'quarantined';

export interface PriceUploadReport extends UploadReportBase {
  status: PriceUploadStatus;
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
}

/** The report before it is placed (placing adds `file` and `handledAt`). */
type Handled = Omit<PriceUploadReport, 'file' | 'handledAt'>;

export type PriceUploadOutcome = UploadOutcome<PriceUploadReport>;

export interface PriceUploadRequest {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
  blobName: string;
}

const MAX_LISTED_REJECTS = 1000;

export function processPriceUpload(req: PriceUploadRequest): Promise<PriceUploadOutcome> {
  return handleUpload<PriceUploadReport>(req.storage, req.settings, 'priceUploads', req.blobName, req.logger, {
    what: 'price upload',
    eventName: 'PriceUploadHandled',
    // Reasons name the file's faults (columns, line numbers), never its rows' content.
    eventProps: (report) => ({
      kind: report.kind,
      market: report.market,
      view: report.view,
      timeline: report.timeline,
      asOf: report.asOf,
      runId: report.runId,
    }),
    handle: (placement) => spoolAndHandle(req, placement),
    refused: (placement, reason) => ({ ...baseReport(placement, null), reason }),
  });
}

/** Spools this version of the upload to a temp file (never into memory): the pipelines read it from there. */
async function spoolAndHandle(req: PriceUploadRequest, placement: Placement): Promise<Handled> {
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'csp-upload-'));
  try {
    const file = path.join(tmp, 'upload');
    const { body, sha256 } = await readUpload(placement);
    await pipeline(body, fs.createWriteStream(file));
    return await handle(req, placement, file, sha256());
  } finally {
    // maxRetries: a stream closed by a failed read may still be creating its file while the folder is removed.
    await fs.promises.rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

function baseReport(placement: Placement, sha256: string | null): Handled {
  return {
    status: 'quarantined',
    reason: null,
    upload: uploadIdentity(placement, sha256),
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
  };
}

async function handle(req: PriceUploadRequest, placement: Placement, file: string, sha256: string): Promise<Handled> {
  const report = baseReport(placement, sha256);
  let plan: UploadPlan;
  try {
    plan = await planUpload(file, placement.upload);
  } catch (e) {
    if (!(e instanceof FileFault)) throw e;
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
    : handlePrices(req, report, plan, file, sha256, allowsMassRemoval(placement.upload.metadata));
}

/** The source named in the ledger and the snapshot: a later duplicate report points back to it. */
const sourceOf = (report: Handled) => `upload:${report.upload.name}`;
const originOf = (report: Handled) => `${report.upload.container}/${report.upload.name}`;

/** The operator's confirmation of a large removal: blob metadata `allowmassremoval=true` (any case). */
function allowsMassRemoval(metadata: Record<string, string>): boolean {
  return Object.entries(metadata).some(
    ([key, value]) => key.toLowerCase() === 'allowmassremoval' && value.trim().toLowerCase() === 'true',
  );
}

async function handlePrices(
  req: PriceUploadRequest,
  report: Handled,
  plan: UploadPlan & { kind: 'price-sheet' },
  file: string,
  sha256: string,
  allowMassRemoval: boolean,
): Promise<Handled> {
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
    allowMassRemoval,
  });
  if (run.outcome === 'failed' && !run.fileFault)
    throw new Error(`price upload ${report.upload.name} failed, to be retried: ${run.error}`);
  return withRun(req.storage, report, run);
}

/** How a refusal names the as-of label of an upload, by where it came from (none: the upload day, a default). */
const AS_OF_LABEL: Record<string, string | undefined> = {
  metadata: 'the metadata asof',
  path: "the path's day folder",
};

async function handleRates(
  req: PriceUploadRequest,
  report: Handled,
  plan: UploadPlan & { kind: 'exchange-rates' },
  file: string,
  sha256: string,
): Promise<Handled> {
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
    // A rates file is of its own day or month; a label that contradicts it is refused by the name it came by.
    dayFrom: 'file',
    asOfGivenAs: AS_OF_LABEL[plan.from.asOf],
  });
  if (run.outcome === 'failed' && !run.fileFault)
    throw new Error(`exchange-rate upload ${report.upload.name} failed, to be retried: ${run.error}`);
  return withRun(storage, report, run);
}

function duplicate(
  report: Handled,
  inForce: { source: string; runId: string; asOf: string; archive: string },
): Handled {
  const duplicateOf = { source: inForce.source, runId: inForce.runId, asOf: inForce.asOf, archive: inForce.archive };
  return {
    ...report,
    status: 'duplicate',
    reason: `duplicate of ${inForce.source} (run ${inForce.runId}, as of ${inForce.asOf}): the same bytes are already the list in force; nothing was stored`,
    duplicateOf,
    archive: inForce.archive,
  };
}

async function withRun(storage: StorageClients, report: Handled, run: RunRecord): Promise<Handled> {
  return {
    ...report,
    status: run.outcome === 'succeeded' ? 'processed' : 'quarantined',
    reason: run.error,
    // The day the run stored under: a rates file's own day when no label named one.
    asOf: run.asOf,
    runId: run.runId,
    counts: run.counts,
    archive: run.archive,
    rejectedRows: run.rejectedReport ? await rejectedRows(storage, run.rejectedReport) : [],
    rejectedRowsReport: run.rejectedReport ? `${storage.names.containers.reports}/${run.rejectedReport}` : null,
  };
}

/** The pipeline's rejected-rows report (`line,reason` CSV in the reports container), first rows. */
async function rejectedRows(storage: StorageClients, name: string): Promise<PriceUploadReport['rejectedRows']> {
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
