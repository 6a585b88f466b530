import type { PriceRecord } from './row';

/** One line of a price file as read: a record to validate, or a line that could not be read as a row. */
export type ReadLine = { line: number; record: PriceRecord } | { line: number; error: string };

/** A file that cannot be read at all (bad archive, no header, broken quoting): the run fails, nothing is published. */
export class StructuralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StructuralError';
  }
}

/** A file readable as such but not acceptable (no valid rows, too many rejected rows): the run fails, nothing is published. */
export class FileRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileRejectedError';
  }
}
