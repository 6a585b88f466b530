/**
 * The bounds of every text file the app reads (price sheets, customer CSV and JSON Lines files): a file
 * past one of them is refused (a FileFault) instead of being held in memory. Real rows are a few hundred
 * characters and a few dozen columns; anything near these figures is a quote left open swallowing the
 * file, a generated attack or not the kind of file expected. docs/operations.md lists them.
 */

/** Characters of one CSV record's values (csv-parse's max_record_size). */
export const MAX_RECORD_CHARS = 1_000_000;
/** Columns of one CSV record: empty fields cost memory too (a line of commas is a million columns). */
export const MAX_COLUMNS = 1_000;
/** Characters of one JSON Lines line. */
export const MAX_LINE_CHARS = 1_000_000;
