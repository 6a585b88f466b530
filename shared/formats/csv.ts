import type { CsvError } from 'csv-parse';
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
  CSV_TOO_MANY_COLUMNS: `a record with more than ${MAX_COLUMNS} columns`,
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
 * csv-parse's `cast` that only counts columns: the parser has no column limit, and a line of commas
 * would otherwise build a record of a million empty fields. The thrown error is read like the parser's.
 */
export function boundedColumns(value: string, context: { index: number; lines: number }): string {
  if (context.index >= MAX_COLUMNS) {
    throw Object.assign(new Error('too many columns'), {
      code: 'CSV_TOO_MANY_COLUMNS',
      lines: context.lines,
      column: context.index,
    });
  }
  return value;
}

/**
 * OWASP's CSV-injection rule: a cell that starts with = + - @, a tab or a carriage return is a formula to
 * a spreadsheet (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`), so it gets a leading `'`, which spreadsheets
 * show as text and a person still reads; that includes negative numbers (`'-5`), as OWASP recommends.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell; `quote: 'always'` for free text that should read the same in every line (reasons). */
export function csvCell(value: string, quote: 'as-needed' | 'always' = 'as-needed'): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return quote === 'always' || NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line (with its LF) of cells written by csvCell. */
export const csvLine = (cells: readonly string[]): string => `${cells.map((cell) => csvCell(cell)).join(',')}\n`;
