import { PassThrough, type Readable } from 'node:stream';
import type { BlobClient, ContainerClient } from '@azure/storage-blob';
import type { Logger } from '../observability/logger';
import type { StorageClients } from '../storage/clients';
import { ensureStorage } from '../storage/ensure';
import { statusOf } from '../storage/errors';
import { moveBlob } from '../storage/blobMove';
import { processedContainer, quarantineContainer } from '../storage/names';
import {
  customerFileFormat,
  customerReportName,
  customerSummaryName,
  UnreadableCustomerFile,
  validateCustomerRecords,
  type CustomerBatchSummary,
} from '../customers';

/**
 * A file dropped into the customer upload container. Layout (all names derived from the upload's
 * name, so re-processing the same file overwrites instead of adding):
 *   {uploads}-processed/{name}                 the input, moved here once handled
 *   {uploads}-processed/{name}.report.{csv|jsonl}  one line per record, in input order
 *   {uploads}-processed/{name}.summary.json    counts per code
 *   {uploads}-quarantine/{name}                a file that cannot be read at all
 *   {uploads}-quarantine/{name}.reason.json    why
 * The input is copied before it is deleted: a crash in between leaves it in the upload container,
 * and the next delivery of the event (or the local poller) processes it again with the same result.
 */

export type CustomerUploadOutcome =
  | { status: 'processed'; file: string; report: string; summary: CustomerUploadSummary }
  | { status: 'quarantined'; file: string; reason: string }
  /** Already moved by an earlier delivery of the same event. */
  | { status: 'gone'; file: string };

export interface CustomerUploadSummary extends CustomerBatchSummary {
  file: string;
  report: string;
}

export async function processCustomerUpload(
  storage: StorageClients,
  fileName: string,
  logger: Logger,
): Promise<CustomerUploadOutcome> {
  await ensureStorage(storage);
  const uploadsName = storage.names.containers.customerUploads;
  const uploads = storage.blobs.getContainerClient(uploadsName);
  const processed = storage.blobs.getContainerClient(processedContainer(uploadsName));
  const source = uploads.getBlobClient(fileName);

  const format = customerFileFormat(fileName);
  if (!format) {
    return quarantine(storage, source, fileName, 'unsupported file type: expected .csv, .jsonl or .ndjson', logger);
  }
  let body: Readable;
  try {
    body = (await source.download()).readableStreamBody as Readable;
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
    logger.info('customer upload already handled', { file: fileName });
    return { status: 'gone', file: fileName };
  }

  const reportName = customerReportName(fileName, format);
  const report = processed.getBlockBlobClient(reportName);
  let counts: CustomerBatchSummary;
  try {
    counts = await streamInto(report, format === 'csv' ? 'text/csv' : 'application/x-ndjson', (out) =>
      validateCustomerRecords(body, format, out),
    );
  } catch (e) {
    if (!(e instanceof UnreadableCustomerFile)) throw e;
    await report.deleteIfExists();
    return quarantine(storage, source, fileName, e.message, logger);
  }

  const summary: CustomerUploadSummary = { file: fileName, report: reportName, ...counts };
  await uploadJson(processed, customerSummaryName(fileName), summary);
  await moveBlob(source, processed.getBlobClient(fileName));
  logger.event('customerUploadProcessed', {
    file: fileName,
    records: summary.records,
    valid: summary.valid,
    invalid: summary.invalid,
    errorCodes: Object.keys(summary.errors).join(' '),
  });
  return { status: 'processed', file: fileName, report: reportName, summary };
}

async function quarantine(
  storage: StorageClients,
  source: BlobClient,
  fileName: string,
  reason: string,
  logger: Logger,
): Promise<CustomerUploadOutcome> {
  const container = storage.blobs.getContainerClient(quarantineContainer(storage.names.containers.customerUploads));
  await uploadJson(container, `${fileName}.reason.json`, { file: fileName, reason });
  try {
    await moveBlob(source, container.getBlobClient(fileName));
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
    return { status: 'gone', file: fileName };
  }
  // The reason never quotes the file's content, so it is safe to log.
  logger.event('customerUploadQuarantined', { file: fileName, reason });
  return { status: 'quarantined', file: fileName, reason };
}

/** Streams what `write` produces into a block blob; a failed write leaves no committed blob behind. */
async function streamInto<T>(
  blob: ReturnType<ContainerClient['getBlockBlobClient']>,
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

async function uploadJson(container: ContainerClient, name: string, value: unknown): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  await container
    .getBlockBlobClient(name)
    .upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } });
}
