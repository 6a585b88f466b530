import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse';
import type { CustomerVerdict, Finding } from './rules/findings';
import { CUSTOMER_FIELDS, isCustomerKey, isPlainObject } from './rules/payload';
import { validateCustomer } from './rules/validateCustomer';
import { FileFault } from '../files/fault';
import { boundedCsvColumns, csvErrorText, csvLine } from '../formats/csv';
import { MAX_LINE_CHARS, MAX_RECORD_CHARS } from '../formats/limits';

/**
 * Batch validation of customer files, shared by the CLI (local files) and the blob-drop function:
 * records stream in (CSV with the flat field names as header, or JSON Lines), each gets the same
 * verdict as the HTTP endpoint, and one report line per record streams out in input order, in the
 * input's format. Memory stays flat whatever the file size. A file that cannot be read at all (not
 * UTF-8 text, broken CSV quoting, no customer columns…) throws a FileFault.
 */

export type CustomerFileFormat = 'csv' | 'jsonl';

export function customerFileFormat(fileName: string): CustomerFileFormat | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return null;
}

/** Deterministic names, so re-processing a file overwrites its report instead of adding one. */
export const customerReportName = (fileName: string, format: CustomerFileFormat) => `${fileName}.report.${format}`;
export const customerSummaryName = (fileName: string) => `${fileName}.summary.json`;

export interface CustomerBatchSummary {
  format: CustomerFileFormat;
  records: number;
  valid: number;
  invalid: number;
  /** Occurrences per finding code, and per Partner Center code among the errors. */
  errors: Record<string, number>;
  warnings: Record<string, number>;
  partnerCenterCodes: Record<string, number>;
}

export interface ValidateRecordsOptions {
  /** Called every PROGRESS_EVERY records and at the end (e.g. a progress bar). */
  onProgress?: (records: number) => void;
}

/** Records between progress reports. */
const PROGRESS_EVERY = 10_000;
/** Report text buffered before a write: a write per record would cost more than the validation. */
const REPORT_CHUNK_CHARS = 64 * 1024;

/** One record as read from the file: the customer payload, the pass-through columns, or why it cannot be read. */
interface SourceRecord {
  payload: unknown;
  extra: Record<string, unknown>;
  unreadable?: Finding;
}

export async function validateCustomerRecords(
  input: Readable,
  format: CustomerFileFormat,
  report: Writable,
  options: ValidateRecordsOptions = {},
): Promise<CustomerBatchSummary> {
  const tally = new Tally(format);
  const writer = format === 'csv' ? new CsvReportWriter() : new JsonlReportWriter();
  const reportLines = (records: AsyncIterable<SourceRecord>) => validatedReport(records, tally, writer, options);
  try {
    if (format === 'csv') {
      const csvReportLines = (rows: AsyncIterable<string[]>) => reportLines(csvRecords(rows));
      await pipeline(input, boundedCsvColumns(), strictUtf8(), csvParser(), csvReportLines, report);
    } else await pipeline(input, strictUtf8(), jsonLineRecords, reportLines, report);
  } catch (e) {
    throw asUnreadable(e);
  }
  if (format === 'jsonl' && tally.records > 0 && tally.readable === 0) {
    throw new FileFault('no line of the file is a JSON object: not a JSON Lines file');
  }
  options.onProgress?.(tally.records);
  return tally.summary();
}

/** Validates each record and yields the report text in input order, tallying the verdicts. */
async function* validatedReport(
  records: AsyncIterable<SourceRecord>,
  tally: Tally,
  writer: ReportWriter,
  options: ValidateRecordsOptions,
): AsyncGenerator<string> {
  let buffered = '';
  for await (const record of records) {
    const verdict = record.unreadable ? unreadableVerdict(record.unreadable) : validateCustomer(record.payload);
    tally.add(verdict, record.unreadable === undefined);
    buffered += writer.line(tally.records, record.extra, verdict);
    if (buffered.length >= REPORT_CHUNK_CHARS) {
      yield buffered;
      buffered = '';
    }
    if (options.onProgress && tally.records % PROGRESS_EVERY === 0) options.onProgress(tally.records);
  }
  buffered += writer.end();
  if (buffered) yield buffered;
}

/** Parser errors become line, column and reason, never the parser's message: it quotes the field. */
function asUnreadable(e: unknown): unknown {
  if (e instanceof FileFault) return e;
  const csvError = csvErrorText(e);
  return csvError === undefined ? e : new FileFault(`the CSV cannot be parsed: ${csvError}`);
}

/** Text decoding that refuses what is not UTF-8 text instead of silently replacing bytes. */
function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Buffer): string => {
    let text: string;
    try {
      text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new FileFault('the file is not UTF-8 text');
    }
    if (text.includes('\0')) throw new FileFault('the file is binary, not text');
    return text;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        done(null, decode(chunk));
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        done(null, decode());
      } catch (e) {
        done(e as Error);
      }
    },
  });
}

// ---- CSV ----------------------------------------------------------------------------------------

const FIELD_BY_HEADER = new Map(CUSTOMER_FIELDS.map((field) => [field.toLowerCase(), field]));

interface CsvColumn {
  header: string;
  field?: string;
}

/** Bounded as the price reader is (shared/formats/limits): no record or column count can exhaust memory. */
const csvParser = () =>
  parseCsv({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });

async function* csvRecords(rows: AsyncIterable<string[]>): AsyncGenerator<SourceRecord> {
  let columns: CsvColumn[] | undefined;
  for await (const row of rows) {
    if (!columns) {
      columns = csvColumns(row);
      continue;
    }
    const payload: Record<string, unknown> = {};
    const extra: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i];
      const cell = row[i] ?? '';
      if (column.field) payload[column.field] = cell;
      else extra[column.header] = cell;
    }
    if (row.length !== columns.length) {
      const unreadable: Finding = {
        field: '',
        code: 'RECORD_COLUMNS',
        message: `The record has ${row.length} columns, the header ${columns.length}`,
      };
      yield { payload, extra, unreadable };
    } else {
      yield { payload, extra };
    }
  }
  if (!columns) throw new FileFault('the file is empty: a header row with the customer fields is expected');
}

function csvColumns(header: string[]): CsvColumn[] {
  const columns = header.map((raw) => {
    const name = raw.trim();
    return { header: name, field: FIELD_BY_HEADER.get(name.toLowerCase()) };
  });
  const fields = columns.flatMap((column) => (column.field ? [column.field] : []));
  if (fields.length === 0) {
    throw new FileFault(`the header names none of the customer fields (${CUSTOMER_FIELDS.join(', ')})`);
  }
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  if (twice) throw new FileFault(`the header names the column ${twice} twice`);
  return columns;
}

// ---- JSON Lines ---------------------------------------------------------------------------------

async function* jsonLineRecords(text: AsyncIterable<string>): AsyncGenerator<SourceRecord> {
  let rest = '';
  let line = 0;
  for await (const chunk of text) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const content of lines) {
      line++;
      if (content.trim()) yield jsonLineRecord(boundedLine(content, line));
    }
    // The unfinished line is bounded before it grows further: one endless line must not fill memory.
    boundedLine(rest, line + 1);
  }
  if (rest.trim()) yield jsonLineRecord(rest);
}

function boundedLine(text: string, line: number): string {
  if (text.length > MAX_LINE_CHARS) throw new FileFault(`line ${line} is longer than ${MAX_LINE_CHARS} characters`);
  return text;
}

function jsonLineRecord(line: string): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // JSON.parse's message quotes the line: never pass it on.
    return {
      payload: undefined,
      extra: {},
      unreadable: { field: '', code: 'RECORD_UNREADABLE', message: 'The line is not valid JSON' },
    };
  }
  if (!isPlainObject(value)) return { payload: value, extra: {} };
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!isCustomerKey(key)) extra[key] = value[key];
  return { payload: value, extra };
}

function unreadableVerdict(finding: Finding): CustomerVerdict {
  return {
    valid: false,
    errors: [finding],
    warnings: [],
    normalized: { country: null, organizationRegistrationNumber: null, phoneNumber: null },
  };
}

// ---- Reports ------------------------------------------------------------------------------------

interface ReportWriter {
  line(record: number, extra: Record<string, unknown>, verdict: CustomerVerdict): string;
  end(): string;
}

/** `{ record, extra, valid, errors, warnings, normalized }` per line. */
class JsonlReportWriter implements ReportWriter {
  line(record: number, extra: Record<string, unknown>, verdict: CustomerVerdict): string {
    return `${JSON.stringify({ record, extra, ...verdict })}\n`;
  }
  end(): string {
    return '';
  }
}

const CSV_REPORT_COLUMNS = [
  'valid',
  'country',
  'organizationRegistrationNumber',
  'phoneNumber',
  'errorCodes',
  'partnerCenterCodes',
  'errors',
  'warnings',
];

/** `record, <extra columns>, valid, <normalized values>, codes, messages`; a header on the first line. */
class CsvReportWriter implements ReportWriter {
  private extraHeaders: string[] | undefined;

  line(record: number, extra: Record<string, unknown>, verdict: CustomerVerdict): string {
    let header = '';
    if (!this.extraHeaders) {
      this.extraHeaders = Object.keys(extra);
      header = csvLine(['record', ...this.extraHeaders, ...CSV_REPORT_COLUMNS]);
    }
    const { errors, warnings, normalized } = verdict;
    return (
      header +
      csvLine([
        String(record),
        ...this.extraHeaders.map((header) => cellText(extra[header])),
        String(verdict.valid),
        normalized.country ?? '',
        normalized.organizationRegistrationNumber ?? '',
        normalized.phoneNumber ?? '',
        errors.map((error) => error.code).join(' '),
        errors.flatMap((error) => (error.partnerCenterCode ? [error.partnerCenterCode] : [])).join(' '),
        errors.map(findingText).join(' | '),
        warnings.map(findingText).join(' | '),
      ])
    );
  }

  end(): string {
    // A file with a header and no records still gets a report with a header.
    return this.extraHeaders ? '' : csvLine(['record', ...CSV_REPORT_COLUMNS]);
  }
}

const findingText = (finding: Finding) => (finding.field ? `${finding.field}: ${finding.message}` : finding.message);

// ---- Summary ------------------------------------------------------------------------------------

class Tally {
  records = 0;
  readable = 0;
  private valid = 0;
  private readonly errors = new Map<string, number>();
  private readonly warnings = new Map<string, number>();
  private readonly partnerCenter = new Map<string, number>();

  constructor(private readonly format: CustomerFileFormat) {}

  add(verdict: CustomerVerdict, readable: boolean): void {
    this.records++;
    if (readable) this.readable++;
    if (verdict.valid) this.valid++;
    for (const error of verdict.errors) {
      bump(this.errors, error.code);
      if (error.partnerCenterCode) bump(this.partnerCenter, String(error.partnerCenterCode));
    }
    for (const warning of verdict.warnings) bump(this.warnings, warning.code);
  }

  summary(): CustomerBatchSummary {
    return {
      format: this.format,
      records: this.records,
      valid: this.valid,
      invalid: this.records - this.valid,
      errors: sorted(this.errors),
      warnings: sorted(this.warnings),
      partnerCenterCodes: sorted(this.partnerCenter),
    };
  }
}

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
/** Sorted keys keep the summary byte-identical between runs. */
const sorted = (counts: Map<string, number>) => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));

/** A pass-through value as a CSV cell (CSV input carries text; anything else is written as JSON). */
function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
