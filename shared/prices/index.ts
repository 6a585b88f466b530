/**
 * What other features may use of prices (they import prices through this file only; the
 * dependency rules in .dependency-cruiser.js enforce it). Entry points (functions/, cli/,
 * runtime/, bench/) may import any module of shared/ directly.
 */

export { priceViewSchema, type PriceView, type Timeline } from './views';
/** Uploads: run a dropped price file through the one price pipeline. */
export { ingestPriceSheet } from './ingest';
/** Uploads: the snapshot in force on a day (a re-upload of the same file is a duplicate). */
export { snapshotOnOrBefore } from './tables/snapshots';
/** Uploads: what a dropped file says it is (market, view, timeline, as-of). */
export { readSheetEvidence, type SheetEvidence } from './sheetKind';
/** Notifications: the committed snapshots, what changed between two of them, and the prices they carry. */
export { listSnapshots, type SnapshotRecord } from './tables/snapshots';
export { priceChanges, SnapshotNotFoundError, type ChangesCursor } from './changes';
export type { PriceVersion } from './version';
