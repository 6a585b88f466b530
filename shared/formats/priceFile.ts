import type { ReadLine } from '../prices/records';
import { openDecompressed } from './compression';
import { readPriceCsv } from './priceCsv';

/**
 * Reads a Partner Center price sheet, plain or zip/gzip/zlib compressed, as a stream of
 * records keyed by field (text exactly as in the file) or unreadable lines, each with the
 * physical line it starts on. Throws FileFault when the file as a whole cannot be read.
 */
export async function* readPriceFile(filePath: string): AsyncGenerator<ReadLine> {
  yield* readPriceCsv(await openDecompressed(filePath));
}
