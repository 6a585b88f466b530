import type { PriceField } from '../row';
import { pointsOf, withPoints } from '../listing';
import type { StoredVersion } from './versions';

/**
 * What one ingest (of the snapshot of day `asOf`) changes in one stored version: its content when
 * the sheet lists it, and its listing points at that day and at the next snapshot's day.
 */
export interface VersionChange {
  rowKey: string;
  /** The content this sheet publishes; absent when it does not list the version. */
  content?: { contentHash: string; row: Partial<Record<PriceField, string>> };
  /** The points to set (null: no point that day): at the sheet's day, and at the next snapshot's. */
  points: [day: string, listed: boolean | null][];
}

/**
 * The version after the change, or undefined when there is none (a version not stored that the
 * sheet does not list). The content is the latest-dated snapshot's: a sheet replaces it only when
 * its day is on or after the day the stored content came from, so ingesting snapshots in any
 * order ends with the same content.
 */
export function changedVersion(
  stored: StoredVersion | undefined,
  change: VersionChange,
  asOf: string,
): StoredVersion | undefined {
  if (!stored && !change.content) return undefined;
  const listing = withPoints(stored ? pointsOf(stored) : [], change.points);
  const content = change.content;
  if (content && (!stored || isLatestListing(stored, asOf))) {
    return { rowKey: change.rowKey, contentHash: content.contentHash, contentAsOf: asOf, listing, row: content.row };
  }
  const kept = stored as StoredVersion;
  return { rowKey: kept.rowKey, contentHash: kept.contentHash, contentAsOf: kept.contentAsOf, listing, row: kept.row };
}

/**
 * Whether a sheet of day `asOf` is the latest-dated listing of a stored version, as far as the version
 * itself can tell: not when its content came from a later day, nor when a later snapshot lists it again
 * after a gap (a listing point after `asOf`) — an identical re-listing does not move `contentAsOf`, so
 * that day alone would let an older sheet's content win. (A later snapshot that lists it without a gap
 * is the next snapshot, which the ingest checks itself.)
 */
function isLatestListing(stored: StoredVersion, asOf: string): boolean {
  if (asOf < (stored.contentAsOf ?? '')) return false;
  return !pointsOf(stored).some(([day, listed]) => listed && day > asOf);
}

/** True when two stored states of a version say the same (however they were written). */
export function sameVersion(a: StoredVersion | undefined, b: StoredVersion | undefined): boolean {
  // A new version (nothing stored, as for every version of a cold ingest) differs without building its
  // text: that cost ~80 ms of CPU in a cold 50,000-row ingest.
  if (!a || !b) return a === b;
  const canonical = (v: StoredVersion) => JSON.stringify([v.contentHash, v.contentAsOf ?? null, pointsOf(v), v.row]);
  return canonical(a) === canonical(b);
}
