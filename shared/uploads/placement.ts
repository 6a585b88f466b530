import { pipeline, type Readable } from 'node:stream';
import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import { nowInstant } from '../core/dates';
import type { Settings } from '../config/settings';
import type { Logger, LogProps } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { hashingTap } from '../files/hashedSpool';
import { ifFound, isNotFound } from '../storage/errors';
import { moveBlob, type MoveResult } from '../storage/blobMove';
import { processedContainer, quarantineContainer, type StorageNames } from '../storage/names';
import { ledgerOutbox, recordRun, type RunOutcome, type RunRecord } from '../runs/ledger';
import { UploadAttempts } from './attempts';

/**
 * The one way every upload container (price and rate files, customer files) handles a dropped file,
 * and gets it where it belongs without ever losing it:
 *   {uploads}-processed/{name}  and  {name}.report.json     handled
 *   {uploads}-quarantine/{name} and  {name}.report.json     refused (a FileFault), with the reason
 * An upload kind may write more files next to the report, named after the placed name (a customer
 * file's per-record `{name}.report.csv`). When `{name}` there already belongs to an earlier upload of
 * the same name with other content (another ETag), this one becomes `{name}~{etag}`: nothing earlier is
 * overwritten.
 * Order: handle, report, copy, delete the upload (only the version that was read: If-Match on its ETag).
 * A crash at any point leaves the upload in place; the next delivery finds the report that names this
 * ETag and only finishes the move. A delivery for an upload that is no longer there is `gone`: an
 * earlier delivery of the same event moved it.
 * Every attempt is counted before it starts (shared/uploads/attempts): once UPLOAD_MAX_ATTEMPTS of them
 * failed, for any reason — a process killed by the file included — the next delivery quarantines the
 * upload with the last error instead of handling it again, so no file can keep the app in a crash loop.
 */

export type UploadContainer = keyof Pick<StorageNames['containers'], 'priceUploads' | 'customerUploads'>;

export interface UploadedBlob {
  name: string;
  /** ETag without quotes: the version of the upload that was read. */
  etag: string;
  lastModified: Date;
  bytes: number;
  metadata: Record<string, string>;
}

export type UploadArea = 'processed' | 'quarantine';

export interface UploadAreas {
  uploads: ContainerClient;
  processed: ContainerClient;
  quarantine: ContainerClient;
}

/** What the report of every upload kind holds; each kind adds its own fields. */
export interface UploadReportBase {
  /** `quarantined` places the upload in quarantine; any other status in the processed area. */
  status: string;
  /** Why it was quarantined (the FileFault's message), or a note on how it was handled; null when processed. */
  reason: string | null;
  upload: {
    container: string;
    name: string;
    etag: string;
    bytes: number;
    lastModified: string;
    /** Of the bytes read; null when they were not read to the end (refused early). */
    sha256: string | null;
    metadata: Record<string, string>;
  };
  /** Where the upload now is: `{container}/{name}`. */
  file: string;
  /** The pipeline run that recorded this upload in the ledger; absent or null when none did. */
  runId?: string | null;
  handledAt: string;
}

/** A placed upload: its report, and how the move went. */
export type PlacedUpload<R extends UploadReportBase> = R & { move: MoveResult };

export type UploadOutcome<R extends UploadReportBase> =
  | PlacedUpload<R>
  /** Not there any more: an earlier delivery of the same event moved it. */
  | { status: 'gone'; upload: { name: string } };

/** Where an upload is placed in each area: decided once, so that files written next to the report match. */
export interface Placement {
  areas: UploadAreas;
  upload: UploadedBlob;
  placedName(area: UploadArea): Promise<string>;
}

export interface UploadKind<R extends UploadReportBase> {
  /** For log lines: `price upload`. */
  what: string;
  /** The event logged once an upload is placed (`PriceUploadHandled`): file, status, reason, placedAt, move… */
  eventName: string;
  /** …and what this kind adds to it. Never personal data: the file's content may hold some. */
  eventProps: (report: R) => LogProps;
  /**
   * Reads and handles this version of the upload; returns its report (placed by the caller). The file at
   * fault returns a quarantined report; any other failure throws, and the event is delivered again.
   */
  handle: (placement: Placement) => Promise<Omit<R, 'file' | 'handledAt'>>;
  /** The quarantined report of an upload refused without being read (it failed too often). */
  refused: (placement: Placement, reason: string) => Omit<R, 'file' | 'handledAt'>;
}

type UploadSettings = Pick<Settings, 'UPLOAD_MAX_ATTEMPTS' | 'LEDGER_OUTBOX_DIR'>;

/**
 * Handles the upload and records the attempt in the run ledger (kind `upload-attempt`) unless a pipeline
 * run recorded it: refused files, customer files and attempts that failed — storage down included (the
 * ledger outbox keeps those) — all leave a trace.
 */
export async function handleUpload<R extends UploadReportBase>(
  storage: StorageClients,
  settings: UploadSettings,
  container: UploadContainer,
  blobName: string,
  logger: Logger,
  kind: UploadKind<R>,
): Promise<UploadOutcome<R>> {
  const attempt = { storage, settings, logger, source: `upload:${storage.names.containers[container]}/${blobName}` };
  const startedAt = Date.now();
  let outcome: UploadOutcome<R>;
  try {
    outcome = await placeUpload(storage, settings, container, blobName, logger, kind);
  } catch (e) {
    await recordAttempt(attempt, startedAt, 'failed', (e as Error).message);
    throw e;
  }
  if ('file' in outcome && !outcome.runId) {
    const failed = outcome.status === 'quarantined';
    await recordAttempt(attempt, startedAt, failed ? 'failed' : 'succeeded', outcome.reason);
  }
  return outcome;
}

const MAX_LEDGER_ERROR_CHARS = 1000;

async function recordAttempt(
  attempt: { storage: StorageClients; settings: UploadSettings; logger: Logger; source: string },
  startedAt: number,
  outcome: RunOutcome,
  error: string | null,
): Promise<void> {
  const { storage, settings, logger, source } = attempt;
  const run: RunRecord = {
    // The pipeline run of the same invocation takes the correlation id itself.
    runId: `${logger.correlationId}-upload`,
    kind: 'upload-attempt',
    source,
    market: '',
    view: '',
    timeline: '',
    asOf: '',
    startedAt: nowInstant(new Date(startedAt)),
    durationMs: Date.now() - startedAt,
    outcome,
    error: error && error.length > MAX_LEDGER_ERROR_CHARS ? `${error.slice(0, MAX_LEDGER_ERROR_CHARS)}…` : error,
    counts: { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 },
    archive: null,
    rejectedReport: null,
  };
  // The attempt's own outcome stands whether or not the ledger takes it (the outbox keeps it then).
  await recordRun(storage, run, { outbox: ledgerOutbox(storage, settings), lastSuccess: false }).catch((e) =>
    logger.error('could not record the upload attempt; it waits in the ledger outbox', { error: (e as Error).message }),
  );
}

async function placeUpload<R extends UploadReportBase>(
  storage: StorageClients,
  settings: UploadSettings,
  container: UploadContainer,
  blobName: string,
  logger: Logger,
  kind: UploadKind<R>,
): Promise<UploadOutcome<R>> {
  await ensureStorage(storage);
  const areas = uploadAreas(storage, container);
  const upload = await uploadedBlob(areas.uploads.getBlobClient(blobName), blobName);
  if (!upload) {
    logger.info(`${kind.what} already handled`, { file: blobName });
    return { status: 'gone', upload: { name: blobName } };
  }

  const attempts = new UploadAttempts(storage, {
    container: areas.uploads.containerName,
    name: blobName,
    etag: upload.etag,
  });
  const earlier = await earlierReport<R>(areas, upload);
  if (earlier) {
    logger.info('finishing the move of an upload handled before', { file: blobName, status: earlier.report.status });
    const move = await moveUpload(areas, earlier.area, earlier.placedName, upload);
    await attempts.done();
    return { ...earlier.report, move };
  }

  const names = new Map<UploadArea, Promise<string>>();
  const placement: Placement = {
    areas,
    upload,
    placedName(area) {
      if (!names.has(area)) names.set(area, placedNameIn(areas[area], upload));
      return names.get(area) as Promise<string>;
    },
  };
  const tried = await attempts.begin();
  let placed: R;
  let move: MoveResult;
  try {
    const report =
      tried.count >= settings.UPLOAD_MAX_ATTEMPTS
        ? kind.refused(placement, givenUp(tried.count, tried.lastError))
        : await kind.handle(placement);
    const area: UploadArea = report.status === 'quarantined' ? 'quarantine' : 'processed';
    const placedName = await placement.placedName(area);
    placed = { ...report, file: `${areas[area].containerName}/${placedName}`, handledAt: nowInstant() } as R;
    await writeReportJson(areas[area], placedName, placed);
    move = await moveUpload(areas, area, placedName, upload);
  } catch (e) {
    // Kept for the attempt that gives up; failing to keep it must not hide the error itself.
    await attempts.failed(e).catch(() => undefined);
    throw e;
  }
  await attempts.done();
  logger.event(kind.eventName, {
    file: upload.name,
    status: placed.status,
    reason: placed.reason,
    placedAt: placed.file,
    move,
    ...kind.eventProps(placed),
  });
  return { ...placed, move };
}

const givenUp = (count: number, lastError: string | null) =>
  `refused unread: ${count} attempts to handle this upload failed (UPLOAD_MAX_ATTEMPTS); the last one: ${lastError}`;

export function uploadAreas(storage: StorageClients, container: UploadContainer): UploadAreas {
  const uploads = storage.names.containers[container];
  return {
    uploads: storage.blobs.getContainerClient(uploads),
    processed: storage.blobs.getContainerClient(processedContainer(uploads)),
    quarantine: storage.blobs.getContainerClient(quarantineContainer(uploads)),
  };
}

/** The `upload` part of a report. */
export function uploadIdentity(placement: Placement, sha256: string | null): UploadReportBase['upload'] {
  const { areas, upload } = placement;
  return {
    container: areas.uploads.containerName,
    name: upload.name,
    etag: upload.etag,
    bytes: upload.bytes,
    lastModified: upload.lastModified.toISOString(),
    sha256,
    metadata: upload.metadata,
  };
}

/**
 * This version of the upload (If-Match: a newer one uploaded meanwhile fails the read, and is left for its
 * own event) as a stream, hashed on the way: `sha256()` once the stream has been read to the end.
 */
export async function readUpload(placement: Placement): Promise<{ body: Readable; sha256: () => string }> {
  const { areas, upload } = placement;
  const download = await areas.uploads.getBlobClient(upload.name).download(0, undefined, {
    conditions: { ifMatch: `"${upload.etag}"` },
    maxRetryRequests: 5,
  });
  const { tap, result } = hashingTap();
  // A failed download destroys the tap with its error: whoever reads the body sees it.
  const body = pipeline(download.readableStreamBody as Readable, tap, () => undefined);
  return { body, sha256: () => result().sha256 };
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
    if (isNotFound(e)) return null;
    throw e;
  }
}

const reportNameOf = (placedName: string) => `${placedName}.report.json`;

const candidateNames = (upload: UploadedBlob) => [
  upload.name,
  `${upload.name}~${upload.etag.replace(/[^A-Za-z0-9]/g, '')}`,
];

async function readJson<T>(blob: BlobClient): Promise<T | null> {
  const body = await ifFound(blob.downloadToBuffer());
  return body && (JSON.parse(body.toString('utf8')) as T);
}

/** A report an earlier attempt wrote for this very version of the upload, and where. */
async function earlierReport<R extends UploadReportBase>(
  areas: UploadAreas,
  upload: UploadedBlob,
): Promise<{ area: UploadArea; placedName: string; report: R } | null> {
  for (const area of ['processed', 'quarantine'] as const) {
    for (const placedName of candidateNames(upload)) {
      const report = await readJson<R>(areas[area].getBlobClient(reportNameOf(placedName)));
      if (report?.upload.etag === upload.etag) return { area, placedName, report };
    }
  }
  return null;
}

/** The first name in the area that is free or already this upload's. */
async function placedNameIn(container: ContainerClient, upload: UploadedBlob): Promise<string> {
  const [plain, byEtag] = candidateNames(upload);
  const existing = await readJson<UploadReportBase>(container.getBlobClient(reportNameOf(plain)));
  const taken = existing !== null || (await container.getBlobClient(plain).exists());
  return !taken || existing?.upload.etag === upload.etag ? plain : byEtag;
}

async function writeReportJson(container: ContainerClient, placedName: string, report: unknown): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await container
    .getBlockBlobClient(reportNameOf(placedName))
    .upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } });
}

/** Moves this version of the upload to an area (see moveBlob). */
function moveUpload(
  areas: UploadAreas,
  area: UploadArea,
  placedName: string,
  upload: UploadedBlob,
): Promise<MoveResult> {
  return moveBlob(areas.uploads.getBlobClient(upload.name), areas[area].getBlobClient(placedName), upload);
}
