/**
 * Key arithmetic for Table Storage, which returns entities in (PartitionKey, RowKey) string order
 * only. Stored keys are built with these functions: changing what they return would make existing
 * data sort and read differently (test/shared/storage/keys.test.ts pins the format).
 */

/** The largest 13-digit millisecond time (year 2286): counting down from it keeps every key 13 digits. */
const LAST_MILLISECOND = 9_999_999_999_999;
/** The largest 8-digit `yyyymmdd`. */
const LAST_DAY_NUMBER = 99_999_999;

/** A key part that sorts the newest instant first: 13 digits counting down in milliseconds. */
export function newestFirstKey(instant: string): string {
  return String(LAST_MILLISECOND - Date.parse(instant)).padStart(13, '0');
}

/**
 * A key part that sorts the newest day (`YYYY-MM-DD`) first: 8 digits counting down from 99999999 −
 * yyyymmdd. "The latest on or before day D" is then the first key `ge newestFirstDayKey(D)`.
 */
export function newestFirstDayKey(day: string): string {
  return String(LAST_DAY_NUMBER - Number(day.replace(/-/g, ''))).padStart(8, '0');
}

/** Every key starting with the prefix is `ge from` and `lt to` (the app's keys are ASCII, all below U+FFFF). */
export function prefixRange(prefix: string): { from: string; to: string } {
  return { from: prefix, to: `${prefix}\uffff` };
}
