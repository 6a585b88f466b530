import { DateTime } from 'luxon';

/**
 * The one date parser. Every instant is UTC whatever the machine's zone, and is written as
 * `YYYY-MM-DDTHH:mm:ss.fffffffZ`: seven fraction digits keep what Partner Center publishes
 * (`2021-11-03T06:57:30.0682597Z`) and make string order equal time order.
 */

const US_FORMATS = ['M/d/yyyy h:mm:ss a', 'M/d/yyyy h:mm a', 'M/d/yyyy H:mm:ss', 'M/d/yyyy H:mm', 'M/d/yyyy'];
const ISO_FRACTION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d+)/;

// A sheet repeats a few hundred distinct dates over up to a million rows, and a Luxon format
// parse costs ~20–40 µs: remembering recent answers makes date parsing ~free (measured with
// bench/prices). Bounded so that a file of all-distinct dates cannot grow it without limit.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, string | null>();

/** Parses every date form the sources use; null when the text is not a date. */
export function parseInstant(text: string): string | null {
  let parsed = cache.get(text);
  if (parsed === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    parsed = parseUncached(text);
    cache.set(text, parsed);
  }
  return parsed;
}

function parseUncached(text: string): string | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const dt = DateTime.fromISO(s, { zone: 'utc' });
    if (!dt.isValid) return null;
    // Luxon keeps milliseconds only; keep the digits beyond them as published. Offsets are whole
    // minutes, so they never touch those digits: the same instant gives the same text either way.
    const fraction = ISO_FRACTION.exec(s)?.[1];
    const extra = fraction ? fraction.slice(3, 7) : '';
    return formatInstant(dt, extra);
  }
  for (const format of US_FORMATS) {
    const dt = DateTime.fromFormat(s, format, { zone: 'utc', locale: 'en-US' });
    if (dt.isValid) return formatInstant(dt, '');
  }
  return null;
}

function formatInstant(dt: DateTime, subMillisecond: string): string {
  return `${dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}${subMillisecond.padEnd(4, '0')}Z`;
}

/** A calendar date `YYYY-MM-DD` (as-of dates, query dates), strictly validated. */
export function parseDay(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const dt = DateTime.fromISO(text, { zone: 'utc' });
  return dt.isValid ? dt.toISODate() : null;
}

/** Midnight UTC of a day, as an instant. */
export function startOfDay(day: string): string {
  return `${day}T00:00:00.0000000Z`;
}

export function todayUtc(now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).toISODate() as string;
}

export function nowInstant(now: Date = new Date()): string {
  return formatInstant(DateTime.fromJSDate(now, { zone: 'utc' }), '');
}

/** The last day there is: "the latest on or before it" is the latest of all. */
export const LAST_DAY = '9999-12-31';

/**
 * Partner Center writes "no end" as a date in year 9999 (e.g. 9999-11-30T23:59:59Z): every end date
 * from here on is open-ended. As instants are normalized, `end < OPEN_ENDED_FROM` tells an end that
 * comes (in code and in table filters alike).
 */
export const OPEN_ENDED_FROM = '9999-01-01';

/** The end date given to prices whose source states none (the Retail Prices API). */
export const OPEN_END = `${LAST_DAY}T23:59:59.0000000Z`;
