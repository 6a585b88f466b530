import { startOfDay } from '../core/dates';

/**
 * Where a version stands in the sequence of snapshots of its market and view (current timeline):
 * change points `[day, listed]`, sorted by day. `[d, true]` opens a run of snapshots that list the
 * version, `[d, false]` is the first snapshot after such a run that does not. The points are a
 * function of the set of snapshots alone (not of the order they were ingested in), so inserting a
 * snapshot d between p and n changes the points at d and n only.
 */
export type ListingPoint = readonly [day: string, listed: boolean];

/**
 * The version is listed at the instant unless the last change point on or before it says otherwise;
 * before its first point (no snapshot on or before the instant listed it) nothing dropped it.
 */
export function listedAt(points: readonly ListingPoint[], instant: string): boolean {
  let listed = true;
  for (const [day, value] of points) {
    if (startOfDay(day) > instant) break;
    listed = value;
  }
  return listed;
}

/** The points of a version stored before change points existed: a removal day reads as `[[day, false]]`. */
export function pointsOf(stored: { listing?: readonly ListingPoint[]; removedAsOf?: string | null }): ListingPoint[] {
  if (stored.listing) return [...stored.listing];
  return stored.removedAsOf ? [[stored.removedAsOf, false]] : [];
}

/**
 * The point a snapshot holds for a version: one exists where the snapshot's listing differs from the
 * snapshot before it (none before the first: not listed). Null: no point on that day.
 */
export const pointAt = (listedBefore: boolean, listed: boolean): boolean | null =>
  listedBefore === listed ? null : listed;

/** The points with those of the given days replaced (null: no point that day), sorted by day. */
export function withPoints(
  points: readonly ListingPoint[],
  updates: readonly (readonly [day: string, listed: boolean | null])[],
): ListingPoint[] {
  const days = new Set(updates.map(([day]) => day));
  const kept: ListingPoint[] = points.filter(([day]) => !days.has(day));
  for (const [day, listed] of updates) if (listed !== null) kept.push([day, listed]);
  return kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
