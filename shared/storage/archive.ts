import fs from 'node:fs';
import type { StorageClients } from './clients';
import { detectCompression } from '../formats/compression';
import { statusOf } from './errors';

/**
 * Raw files are archived exactly as received, before parsing, under a predictable path:
 * `{view}/{market}/{asOf}/{sha256}.{ext}`. The content hash makes re-archiving the same bytes a no-op.
 */

const COMPRESSED_EXTENSION = { zip: 'zip', gzip: 'gz', zlib: 'deflate' } as const;

/**
 * The archive name's extension, from the file's first bytes (the same sniffing the parser uses):
 * `zip`, `csv.gz`, `csv.deflate`, or for plain text `jsonl` (Retail API pages), `xml` (ECB rates) or `csv`.
 */
export function archiveExtension(head: Buffer): string {
  const compression = detectCompression(head);
  if (compression === 'zip') return COMPRESSED_EXTENSION.zip;
  if (compression !== 'none') return `csv.${COMPRESSED_EXTENSION[compression]}`;
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return text.startsWith('{') ? 'jsonl' : text.startsWith('<') ? 'xml' : 'csv';
}

export async function archiveFile(
  storage: StorageClients,
  name: string,
  localFile: string,
  metadata: Record<string, string>,
): Promise<{ name: string; alreadyArchived: boolean }> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.archive).getBlockBlobClient(name);
  try {
    await blob.uploadStream(fs.createReadStream(localFile), 4 * 1024 * 1024, 4, {
      metadata,
      conditions: { ifNoneMatch: '*' },
    });
    return { name, alreadyArchived: false };
  } catch (e) {
    if (statusOf(e) === 409 || statusOf(e) === 412) return { name, alreadyArchived: true };
    throw e;
  }
}

/** A small text report (rejected rows, run summary) in the reports container. */
export async function writeReport(
  storage: StorageClients,
  name: string,
  text: string,
  contentType: string,
): Promise<string> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.reports).getBlockBlobClient(name);
  await blob.upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: contentType } });
  return name;
}
