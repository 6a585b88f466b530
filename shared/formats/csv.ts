import { Transform } from 'node:stream';
import type { CsvError } from 'csv-parse';
import { FileFault } from '../files/fault';
import { MAX_COLUMNS, MAX_RECORD_CHARS } from './limits';

/**
 * CSV text the app reads and writes, in the one way every reader and writer uses:
 *  - a parser's error becomes line, column and a reason from the table below — never csv-parse's own
 *    message, which quotes the field (an INN, a phone number) it stumbled on;
 *  - every cell written is neutralised against spreadsheet formulas and quoted as needed.
 */

/** Why csv-parse stopped, by its error code (csv-parse 6: INVALID_OPENING_QUOTE has no CSV_ prefix). */
const REASONS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one (write it as "")',
  CSV_INVALID_CLOSING_QUOTE: 'characters after the quote that closes a field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'characters after the quote that closes a field',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_MAX_RECORD_SIZE: `a record longer than ${MAX_RECORD_CHARS} characters`,
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a record with another number of fields than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'a record with another number of fields than the header',
};

/** A csv-parse error as `line L, column C: reason (CODE)`; undefined for anything that is not one. */
export function csvErrorText(error: unknown): string | undefined {
  const { code, lines, column } = (error ?? {}) as Partial<CsvError> & { lines?: unknown; column?: unknown };
  if (typeof code !== 'string' || !(code in REASONS || /^CSV_/.test(code))) return undefined;
  const where = [
    typeof lines === 'number' ? `line ${lines}` : undefined,
    // csv-parse counts the fields before the one it stumbled on.
    typeof column === 'number' ? `column ${column + 1}` : undefined,
  ].filter((part) => part !== undefined);
  const reason = REASONS[code] ?? 'the CSV cannot be parsed';
  return `${where.length > 0 ? `${where.join(', ')}: ` : ''}${reason} (${code})`;
}

/**
 * Counts the columns of each record before csv-parse sees it (csv-parse has no column limit, and a line
 * of commas would become a record of a million empty fields): a FileFault past MAX_COLUMNS. Quotes toggle
 * the quoted state (a doubled quote toggles it twice), so commas and line breaks inside quotes are part
 * of a field, as csv-parse reads them. Scans bytes: quote, comma and line feed are never part of a UTF-8
 * multi-byte character. Far cheaper than csv-parse's own `cast` hook, which builds an object per field.
 */
export function boundedCsvColumns(): Transform {
  let quoted = false;
  let commas = 0;
  let line = 1;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === QUOTE) quoted = !quoted;
        else if (byte === LF) {
          line++;
          if (!quoted) commas = 0;
        } else if (byte === COMMA && !quoted && ++commas >= MAX_COLUMNS) {
          done(new FileFault(`the CSV cannot be parsed: line ${line}: a record with more than ${MAX_COLUMNS} columns`));
          return;
        }
      }
      done(null, chunk);
    },
  });
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;

/**
 * OWASP's CSV-injection rule: a cell that starts with = + - @, a tab or a carriage return is a formula to
 * a spreadsheet (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`), so it gets a leading `'`, which spreadsheets
 * show as text and a person still reads; that includes negative numbers (`'-5`), as OWASP recommends.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Text a spreadsheet shows as text, never runs as a formula (the rule above); CSV and xlsx writers use it. */
export const neutralizeFormula = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

/** One cell; `quote: 'always'` for free text that should read the same in every line (reasons). */
export function csvCell(value: string, quote: 'as-needed' | 'always' = 'as-needed'): string {
  const text = neutralizeFormula(value);
  return quote === 'always' || NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line (with its LF) of cells written by csvCell. */
export const csvLine = (cells: readonly string[]): string => `${cells.map((cell) => csvCell(cell)).join(',')}\n`;
