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

/** Entries of a zip archive (its central directory is read whole): a price or rate archive holds one CSV. */
export const MAX_ZIP_ENTRIES = 1_000;
/** Entry names a refusal lists, and the characters of each: a reason stays a line, not a megabyte. */
export const LISTED_ZIP_ENTRIES = 10;
export const LISTED_NAME_CHARS = 100;

/**
 * Rows of one price or rate file (a Partner Center sheet has about two million). The bound is what lets a
 * run stop as soon as its rejected rows exceed REJECTED_ROWS_MAX_PERCENT of it: from then on the share is
 * certain to end above the limit whatever the rest of the file holds (shared/runs/recordedRun).
 */
export const MAX_FILE_ROWS = 20_000_000;
/** Characters of one rejected row's reason in a run's report. */
export const MAX_REASON_CHARS = 300;
