import type { ReadLine } from '../prices/records';
import type { SheetFormat } from '../prices/sources/source';
import { readPriceFile } from './priceFile';
import { readRetailPages } from './retailPages';

/** Reads a spooled download by its format into lines to validate. */
export function readSheet(format: SheetFormat, file: string, market: string): AsyncIterable<ReadLine> {
  return format === 'retail-json-pages' ? readRetailPages(file, market) : readPriceFile(file);
}
