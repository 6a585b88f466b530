import { PassThrough } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';
import { FileFault } from '../files/fault';
import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import {
  customerFileFormat,
  customerReportName,
  validateCustomerRecords,
  type CustomerBatchSummary,
} from '../customers';
import {
  handleUpload,
  readUpload,
  uploadIdentity,
  type Placement,
  type UploadOutcome,
  type UploadReportBase,
} from './placement';

/**
 * A CSV or JSON Lines file of customers dropped into the customer upload container, placed like
 * every upload (shared/uploads/placement): validated record by record as it streams in, then
 *   {uploads}-processed/{name}                       the input
 *   {uploads}-processed/{name}.report.json           status, the upload, the counts per code
 *   {uploads}-processed/{name}.report.{csv|jsonl}    one line per record, in input order
 *   {uploads}-quarantine/{name}                      a file that cannot be read at all (a FileFault)
 *   {uploads}-quarantine/{name}.report.json          why
 * (`{name}~{etag}` instead of `{name}` when an earlier upload of the same name holds it.)
 * The file may hold personal data: neither the reasons nor the event quote its content.
 */

export interface CustomerUploadReport extends UploadReportBase {
  status: 'processed' | 'quarantined';
  /** Counts per code; null when the file was quarantined. */
  summary: CustomerBatchSummary | null;
  /** The per-record report, `{container}/{name}.report.{csv|jsonl}`; null when quarantined. */
  recordReport: string | null;
}

type Handled = Omit<CustomerUploadReport, 'file' | 'handledAt'>;

export function processCustomerUpload(
  storage: StorageClients,
  settings: Pick<Settings, 'UPLOAD_MAX_ATTEMPTS'>,
  blobName: string,
  logger: Logger,
): Promise<UploadOutcome<CustomerUploadReport>> {
  return handleUpload<CustomerUploadReport>(storage, settings, 'customerUploads', blobName, logger, {
    what: 'customer upload',
    eventName: 'CustomerUploadHandled',
    eventProps: ({ summary }) => ({
      records: summary?.records,
      valid: summary?.valid,
      invalid: summary?.invalid,
      errorCodes: summary ? Object.keys(summary.errors).join(' ') : undefined,
    }),
    handle: validateUpload,
    refused,
  });
}

const refused = (placement: Placement, reason: string): Handled => ({
  status: 'quarantined',
  reason,
  upload: uploadIdentity(placement, null),
  summary: null,
  recordReport: null,
});

async function validateUpload(placement: Placement): Promise<Handled> {
  const format = customerFileFormat(placement.upload.name);
  if (!format) return refused(placement, 'unsupported file type: expected .csv, .jsonl or .ndjson');

  const processed = placement.areas.processed;
  const reportName = customerReportName(await placement.placedName('processed'), format);
  const report = processed.getBlockBlobClient(reportName);
  const { body, sha256 } = await readUpload(placement);
  let summary: CustomerBatchSummary;
  try {
    summary = await streamInto(report, format === 'csv' ? 'text/csv' : 'application/x-ndjson', (out) =>
      validateCustomerRecords(body, format, out),
    );
  } catch (e) {
    if (!(e instanceof FileFault)) throw e;
    await report.deleteIfExists();
    return refused(placement, e.message);
  }
  return {
    status: 'processed',
    reason: null,
    upload: uploadIdentity(placement, sha256()),
    summary,
    recordReport: `${processed.containerName}/${reportName}`,
  };
}

/** Streams what `write` produces into a block blob; a failed write leaves no committed blob behind. */
async function streamInto<T>(
  blob: BlockBlobClient,
  contentType: string,
  write: (out: PassThrough) => Promise<T>,
): Promise<T> {
  const out = new PassThrough();
  const upload = blob.uploadStream(out, 4 * 1024 * 1024, 4, {
    blobHTTPHeaders: { blobContentType: `${contentType}; charset=utf-8` },
  });
  try {
    const result = await write(out);
    await upload;
    return result;
  } catch (e) {
    // Failing the stream fails the upload before it commits; its own error adds nothing to this one.
    out.destroy(e as Error);
    await upload.catch(() => undefined);
    throw e;
  }
}
