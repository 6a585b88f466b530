import { hash as oneShotHash } from 'node:crypto';
import { readSheet, type SheetFormat } from '../formats/priceFile';
import type { ReadLine } from './row';
import { LATER_FIELDS, PRICE_FIELDS, validatePriceRecord, type PriceRow } from './row';
import type { PriceView } from './views';
import { isMetered, versionKeys } from './tables/keys';
import { compactRow } from './tables/versions';
import { meterIndexLine } from './tables/productIndex';
import { searchLine, indexedValues, unitOf } from './tables/searchIndex';

/**
 * The per-row half of reading a sheet, which needs nothing but the sheet: parse, validate, and derive
 * what the comparison with the stored snapshots (ingest.ts) and the spools need of each row, as text.
 * It depends on no state, so it runs in a worker thread beside the comparison (sheetReader.ts).
 */

/** The sheet to read. */
export interface SheetSource {
  format: SheetFormat;
  file: string;
  market: string;
  view: PriceView;
}

/** An accepted row, as the comparison uses it. */
export interface AcceptedLine {
  line: number;
  partitionKey: string;
  rowKey: string;
  /** The row's content hash (contentHash). */
  hash: number;
  /** The content a version takes from the row, as spooled: `{"contentHash":…,"row":{…}}`. */
  content: string;
  /** The row's product → meter index line (productIndex), or null for a row without a meter. */
  meter: string | null;
  /** The row's search index line (searchLine). */
  search: string;
}

/** A line of the sheet judged: accepted, or rejected with the reason. */
export type JudgedLine = AcceptedLine | { line: number; reason: string };

/** Lines judged at a time: what a worker posts in one message. */
const JUDGED_BATCH = 500;
/**
 * Characters of the lines' values in one batch, at most (about): a record may hold up to
 * MAX_RECORD_CHARS, so 500 of the largest would be a gigabyte; the reading worker's heap is small.
 */
const JUDGED_BATCH_CHARS = 4_000_000;

/** Bytes of a content hash: 48 bits, a whole number a JS number (and the digest map) holds exactly. */
const CONTENT_HASH_BYTES = 6;

/** 48 bits of a row's content: a changed price, date or text gives a different hash. */
function contentHash(row: PriceRow): number {
  // Each field ends with \u0001; an absent (null) field reads \u0000, so it differs from an empty one.
  // Later fields go in only when set, named (so that their order cannot make two rows alike).
  // Hashed in one one-shot call (the same bytes as one update per field, which cost more than the hashing
  // itself; see versionDigest).
  let text = '';
  for (const field of PRICE_FIELDS) {
    if (!LATER_FIELDS.has(field)) text += `${row[field] ?? '\u0000'}\u0001`;
    else if (row[field] !== '') text += `${field}=${row[field]}\u0001`;
  }
  return oneShotHash('sha1', text, 'buffer').readUIntBE(0, CONTENT_HASH_BYTES);
}

/** The lines of a sheet judged, a batch at a time. Throws FileFault when the file cannot be read. */
export async function* judgedLines(source: SheetSource): AsyncGenerator<JudgedLine[]> {
  let batch: JudgedLine[] = [];
  let chars = 0;
  for await (const item of readSheet(source.format, source.file, source.market)) {
    batch.push(judged(item, source));
    if ('record' in item) for (const value of Object.values(item.record)) chars += value?.length ?? 0;
    if (batch.length >= JUDGED_BATCH || chars >= JUDGED_BATCH_CHARS) {
      yield batch;
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

function judged(item: ReadLine, source: SheetSource): JudgedLine {
  if ('error' in item) return { line: item.line, reason: item.error };
  const verdict = validatePriceRecord(item.record);
  if (!verdict.ok) return { line: item.line, reason: verdict.reason };
  const row = verdict.row;
  if (row.market !== source.market)
    return { line: item.line, reason: `Market ${row.market} in a ${source.market} sheet` };
  const keys = versionKeys(row, source.view);
  const hash = contentHash(row);
  return {
    line: item.line,
    partitionKey: keys.partitionKey,
    rowKey: keys.rowKey,
    hash,
    content: JSON.stringify({ contentHash: String(hash), row: compactRow(row) }),
    meter: isMetered(row) ? meterIndexLine(row) : null,
    search: searchLine(unitOf(row), indexedValues(row)),
  };
}
