import { detectRatesFormat, type RatesFormat } from './ratesFile';
import { openDecompressed } from './compression';

const PEEK_BYTES = 64 * 1024;

/**
 * Whether a local file (plain, zip, gzip or zlib) is an exchange-rate file, read from its first
 * bytes only: a large price sheet is not read through.
 */
export async function ratesFileFormat(file: string): Promise<RatesFormat | null> {
  let stream;
  try {
    stream = await openDecompressed(file);
  } catch {
    return null; // not a readable archive: leave the verdict to the price-sheet reader
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(Buffer.from(chunk as Buffer));
      size += (chunk as Buffer).length;
      if (size >= PEEK_BYTES) break;
    }
  } catch {
    return null;
  } finally {
    stream.destroy();
  }
  const head = Buffer.concat(chunks).toString('utf8');
  const format = detectRatesFormat(head);
  // An ECB file is recognised by its whole structure; a cut-off head only counts for the CSV header.
  return format === 'ecb-xml' && !/<\/(\w+:)?Cube>/.test(head) ? null : format;
}
