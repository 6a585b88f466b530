import type { BlobClient } from '@azure/storage-blob';
import { ifFound, isNotFound, statusOf } from './errors';

export type MoveResult = 'moved' | 'already-moved' | 'superseded';

/**
 * Moves a blob within the account: server-side copy, then delete — the bytes are never only in
 * flight. With the source's ETag, only that version moves ('superseded': someone uploaded a new
 * version under the same name meanwhile, which stays for its own event), and a move interrupted
 * after the copy finishes on the next try ('already-moved' once the source is gone).
 */
export async function moveBlob(
  source: BlobClient,
  target: BlobClient,
  version?: { etag: string; metadata?: Record<string, string> },
): Promise<MoveResult> {
  const copied = version ? (await ifFound(target.getProperties()))?.metadata?.uploadetag === version.etag : false;
  const ifMatch = version ? { ifMatch: `"${version.etag}"` } : {};
  try {
    if (!copied) {
      const poller = await target.beginCopyFromURL(source.url, {
        sourceConditions: ifMatch,
        metadata: version ? { ...version.metadata, uploadetag: version.etag } : undefined,
      });
      const result = await poller.pollUntilDone();
      if (result.copyStatus !== 'success') throw new Error(`copy of ${source.name} ended ${result.copyStatus}`);
    }
    await source.delete({ conditions: ifMatch });
    return 'moved';
  } catch (e) {
    if (isNotFound(e)) return copied ? 'already-moved' : 'superseded';
    if (statusOf(e) === 412) return 'superseded';
    throw e;
  }
}
