import type { ReadLine } from '../prices/row';
import { openDecompressed } from './compression';
import { readPriceCsv } from './priceCsv';
import { readRetailPages } from './retailPages';

/** How the bytes of a price sheet download are to be read. */
export type SheetFormat =
  /** Partner Center CSV, plain or zip/gzip/deflate compressed (recognised by its first bytes). */
  | 'partnercenter-csv'
  /** Retail Prices API pages, one JSON page per line, as received. */
  | 'retail-json-pages';

/**
 * Reads a Partner Center price sheet, plain or zip/gzip/zlib compressed, as a stream of
 * records keyed by field (text exactly as in the file) or unreadable lines, each with the
 * physical line it starts on. Throws FileFault when the file as a whole cannot be read.
 */
export async function* readPriceFile(filePath: string): AsyncGenerator<ReadLine> {
  yield* readPriceCsv(await openDecompressed(filePath));
}

/** Reads a spooled download by its format into lines to validate. */
export function readSheet(format: SheetFormat, file: string, market: string): AsyncIterable<ReadLine> {
  return format === 'retail-json-pages' ? readRetailPages(file, market) : readPriceFile(file);
}
