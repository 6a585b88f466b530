import fs from 'node:fs';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type * as Unzipper from 'unzipper';
import { FileFault } from '../files/fault';
import { LISTED_NAME_CHARS, LISTED_ZIP_ENTRIES, MAX_ZIP_ENTRIES } from './limits';

export type Compression = 'zip' | 'gzip' | 'zlib' | 'none';

/** Recognises the compression from the first bytes: servers and people rename files freely. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'zip';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  // A zlib header is 0x78 plus a flag byte that makes the pair a multiple of 31; the check keeps a
  // plain text file that merely starts with "x" from being taken for one.
  if (head.length >= 2 && head[0] === 0x78 && head.readUInt16BE(0) % 31 === 0) return 'zlib';
  return 'none';
}

async function readHead(filePath: string, length: number): Promise<Buffer> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The file's text bytes, decompressed as a stream. Errors of the returned stream are the caller's to classify. */
export async function openDecompressed(filePath: string): Promise<Readable> {
  const compression = detectCompression(await readHead(filePath, 4));
  switch (compression) {
    case 'zip':
      return openSingleCsvEntry(filePath);
    case 'gzip':
      return decompress(filePath, zlib.createGunzip());
    case 'zlib':
      return decompress(filePath, zlib.createInflate());
    case 'none':
      return fs.createReadStream(filePath);
  }
}

function decompress(filePath: string, inflater: zlib.Gunzip | zlib.Inflate): Readable {
  // pipeline forwards an error of the file stream to the inflater, so the reader sees every failure.
  return pipeline(fs.createReadStream(filePath), inflater, () => undefined);
}

/**
 * Reads the zip's central directory first, so that an archive with no CSV or several CSVs is
 * refused before a single row is handed out.
 */
async function openSingleCsvEntry(filePath: string): Promise<Readable> {
  // Loaded for the first zip, not with every function module: with bluebird it is a measurable part
  // of a cold start (docs/design.md: cold start).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require inside a function is what defers the load
  const unzipper = require('unzipper') as typeof Unzipper;
  let directory: Unzipper.CentralDirectory;
  try {
    directory = await unzipper.Open.file(filePath);
  } catch (error) {
    throw new FileFault(`${path.basename(filePath)} is not a readable zip archive: ${(error as Error).message}`);
  }
  if (directory.files.length > MAX_ZIP_ENTRIES) {
    throw new FileFault(
      `the zip archive holds ${directory.files.length} entries; a price or rate file holds one CSV ` +
        `(at most ${MAX_ZIP_ENTRIES} entries are looked at)`,
    );
  }
  const files = directory.files.filter((f) => f.type === 'File' && !f.path.startsWith('__MACOSX/'));
  const csvEntries = files.filter((f) => /\.csv$/i.test(f.path));
  if (csvEntries.length !== 1) {
    const problem = csvEntries.length === 0 ? 'no CSV file' : `${csvEntries.length} CSV files`;
    throw new FileFault(
      `the zip archive must hold exactly one CSV file but holds ${problem} (entries: ${listing(files)})`,
    );
  }
  return csvEntries[0].stream();
}

/** Entry names as a reason names them: the first few, each cut short, so that the reason stays short. */
function listing(files: Unzipper.File[]): string {
  if (files.length === 0) return 'nothing';
  const names = files
    .slice(0, LISTED_ZIP_ENTRIES)
    .map((f) => (f.path.length > LISTED_NAME_CHARS ? `${f.path.slice(0, LISTED_NAME_CHARS)}…` : f.path));
  const more = files.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}
