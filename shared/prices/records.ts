import type { PriceRecord } from './row';

/** One line of a price file as read: a record to validate, or a line that could not be read as a row. */
export type ReadLine = { line: number; record: PriceRecord } | { line: number; error: string };
