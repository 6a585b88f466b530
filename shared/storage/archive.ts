import fs from 'node:fs';
import type { StorageClients } from './clients';
import { statusOf } from './errors';

/**
 * Raw files are archived exactly as received, before parsing, under a predictable path:
 * `{view}/{market}/{asOf}/{sha256}.{ext}`. The content hash makes re-archiving the same bytes a no-op.
 */

export function fileExtension(firstBytes: Buffer): string {
  if (firstBytes[0] === 0x50 && firstBytes[1] === 0x4b) return 'zip';
  if (firstBytes[0] === 0x1f && firstBytes[1] === 0x8b) return 'csv.gz';
  if (firstBytes[0] === 0x78) return 'csv.deflate';
  if (firstBytes[0] === 0x7b) return 'jsonl';
  return 'csv';
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
export async function writeReport(storage: StorageClients, name: string, text: string, contentType: string): Promise<string> {
  const blob = storage.blobs.getContainerClient(storage.names.containers.reports).getBlockBlobClient(name);
  await blob.upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: contentType } });
  return name;
}
