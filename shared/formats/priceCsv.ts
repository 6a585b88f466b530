import type { Readable } from 'node:stream';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';
import type { ReadLine } from '../prices/row';
import { FileFault } from '../files/fault';
import { boundedCsvColumns, csvErrorText } from './csv';
import { MAX_RECORD_CHARS } from './limits';
import { fieldForHeader, type PriceField, type PriceRecord } from '../prices/row';

const REQUIRED_FIELDS: readonly PriceField[] = [
  'productId',
  'skuId',
  'market',
  'currency',
  'unitPrice',
  'effectiveStartDate',
  'effectiveEndDate',
];

/** Errors after which csv-parse cannot find the next row again. */
const UNRECOVERABLE = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_MAX_RECORD_SIZE']);

interface Header {
  /** Field of each column by position; undefined for columns the schema does not know. */
  fields: (PriceField | undefined)[];
}

/**
 * Parses Partner Center CSV text into records keyed by field, driven by the header row.
 * Rows that cannot be read (wrong field count, bad quoting within a line) become `{line, error}`;
 * a missing header, missing required columns or quoting that swallows the rest of the file throw
 * FileFault.
 */
export async function* readPriceCsv(text: Readable): AsyncGenerator<ReadLine> {
  let header: Header | undefined;
  // csv-parse reports skipped rows through a callback while records come through the stream,
  // possibly later; they are merged back into file order by line below.
  const skipped: ReadLine[] = [];
  // csv-parse counts the CR and the LF of a CRLF inside quotes as two lines (outside quotes, once),
  // so its count runs ahead of the file's lines by this much.
  let overcountedLines = 0;

  const options: Options<ReadLine, string[]> = {
    bom: true,
    cast: false,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    on_skip: (error: CsvError | undefined) => {
      if (error === undefined) return undefined;
      // csv-parse's own message quotes the field: the reason is told by line, column and code instead.
      if (UNRECOVERABLE.has(error.code)) throw new FileFault(`unreadable CSV: ${csvErrorText(error)}`);
      // Reported where the fault was found: the row's start is not known once it is abandoned.
      // The parser may stumble more than once in one broken row; one report per line is enough.
      const line = (error as CsvError & { lines: number }).lines - overcountedLines;
      if (skipped.at(-1)?.line !== line) skipped.push({ line, error: rowError(error) });
      return undefined;
    },
    on_record: (values: string[], info: InfoRecord): ReadLine | null => {
      const breaks = lineBreaksWithin(values);
      overcountedLines += breaks.overcounted;
      // info.lines is where the record ends; a person looks for the line where it starts.
      const line = info.lines - overcountedLines - breaks.physical;
      if (values.length === 1 && values[0].trim() === '') return null; // a line of blanks
      if (header === undefined) {
        header = readHeader(values);
        return null;
      }
      if (values.length !== header.fields.length) {
        return { line, error: `has ${values.length} fields, the header has ${header.fields.length}` };
      }
      return { line, record: toRecord(values, header) };
    },
  };
  // csv-parse's typings only let on_record change the record type when columns are named; the
  // stream option (passed on to its Transform) lets it run ahead instead of pausing every 16 rows.
  const parser = parse({ ...options, readableHighWaterMark: 4096 } as unknown as Options);

  // Columns are counted before csv-parse builds a record of them (shared/formats/limits).
  const columns = boundedCsvColumns();
  text.on('error', (error) => parser.destroy(error));
  columns.on('error', (error) => parser.destroy(error));
  text.pipe(columns).pipe(parser);

  try {
    for await (const batch of inBatches<ReadLine>(parser)) {
      for (const item of batch) {
        while (skipped.length > 0 && skipped[0].line < item.line) yield skipped.shift() as ReadLine;
        yield item;
      }
    }
  } catch (error) {
    throw asFileFault(error);
  } finally {
    text.unpipe(columns);
    columns.unpipe(parser);
    columns.destroy();
    text.destroy();
  }
  yield* skipped;
  if (header === undefined) throw new FileFault('the file is empty: no header row');
}

/** Everything the stream holds, a batch at a time: one await per batch instead of one per row. */
async function* inBatches<T>(stream: Readable): AsyncGenerator<T[]> {
  for (;;) {
    const batch: T[] = [];
    for (let item = stream.read() as T | null; item !== null; item = stream.read() as T | null) batch.push(item);
    if (batch.length > 0) {
      yield batch;
      continue;
    }
    if (stream.errored) throw stream.errored;
    if (stream.readableEnded || stream.destroyed) return;
    await nextEvent(stream);
  }
}

function nextEvent(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('readable', settle).off('end', settle).off('close', settle).off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    stream.on('readable', settle).on('end', settle).on('close', settle).on('error', settle);
  });
}

function readHeader(names: string[]): Header {
  const fields: (PriceField | undefined)[] = [];
  const seen = new Set<PriceField>();
  for (const name of names) {
    const field = fieldForHeader(name);
    // A column repeated under another spelling: the first one counts.
    fields.push(field !== undefined && !seen.has(field) ? field : undefined);
    if (field !== undefined) seen.add(field);
  }
  const missing = REQUIRED_FIELDS.filter((f) => !seen.has(f));
  if (missing.length > 0) {
    throw new FileFault(`not a price sheet: the header lacks ${missing.join(', ')}`);
  }
  return { fields };
}

function toRecord(values: string[], header: Header): PriceRecord {
  const record: PriceRecord = {};
  for (let i = 0; i < values.length; i++) {
    const field = header.fields[i];
    if (field !== undefined) record[field] = values[i];
  }
  return record;
}

/** Line breaks inside quoted fields: as in the file, and how many more csv-parse counted. */
function lineBreaksWithin(values: string[]): { physical: number; overcounted: number } {
  let physical = 0;
  let overcounted = 0;
  for (const value of values) {
    if (!value.includes('\n') && !value.includes('\r')) continue;
    const crlf = value.match(/\r\n/g)?.length ?? 0;
    overcounted += crlf;
    physical += (value.match(/[\r\n]/g)?.length ?? 0) - crlf;
  }
  return { physical, overcounted };
}

/** The reason of a skipped row, without the `line L, ` prefix: the row's report line names its line. */
const rowError = (error: CsvError) => (csvErrorText(error) ?? error.code).replace(/^line \d+, /, '');

function asFileFault(error: unknown): Error {
  if (error instanceof FileFault) return error;
  const csvError = csvErrorText(error);
  if (csvError !== undefined) return new FileFault(`unreadable price file: ${csvError}`);
  // Anything else is not the parser's (decompression, reading): its message holds no row.
  const message = error instanceof Error ? error.message : String(error);
  return new FileFault(`unreadable price file: ${message}`);
}
