import type { ReadLine } from '../domain/priceRecords';
import type { SheetFormat } from '../ports/priceSheetSource';
import { readPriceFile } from '../parsing/readPriceFile';
import { readRetailPages } from '../sources/retailPages';

/** Reads a spooled download by its format into lines to validate. */
export function readSheet(format: SheetFormat, file: string, market: string): AsyncIterable<ReadLine> {
  return format === 'retail-json-pages' ? readRetailPages(file, market) : readPriceFile(file);
}
