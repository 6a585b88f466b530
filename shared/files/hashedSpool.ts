import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Enough of a file's first bytes to tell its kind (storage/archive names the archive by them). */
const HEAD_BYTES = 64;

export interface SpooledFile {
  /** Hex SHA-256 of the bytes written. */
  sha256: string;
  bytes: number;
  /** The first bytes (up to 64). */
  head: Buffer;
}

/** A pass-through stream that hashes what flows through it and keeps its first bytes. */
export interface HashingTap {
  tap: Transform;
  /** What has flowed through so far (the hash is final once the stream has ended). */
  result: () => SpooledFile;
}

/**
 * The one way the app hashes a file while it streams it somewhere (to a temp file, a parser, a
 * report): one pass over the bytes, whatever their size, so the content hash that names the archive
 * and spots a repeated upload costs no second read. `onProgress` hears the bytes so far after each chunk.
 */
export function hashingTap(onProgress?: (bytes: number) => void): HashingTap {
  const hash = createHash('sha256');
  let bytes = 0;
  let head = Buffer.alloc(0);
  let sha256: string | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      bytes += chunk.length;
      onProgress?.(bytes);
      done(null, chunk);
    },
  });
  return { tap, result: () => ({ sha256: (sha256 ??= hash.digest('hex')), bytes, head }) };
}

/** Writes a download to a local file, hashing it on the way. */
export async function spoolWithHash(
  body: NodeJS.ReadableStream,
  file: string,
  onProgress?: (bytes: number) => void,
): Promise<SpooledFile> {
  const { tap, result } = hashingTap(onProgress);
  await pipeline(body, tap, fs.createWriteStream(file));
  return result();
}
