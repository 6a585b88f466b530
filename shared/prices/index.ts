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
/** Assistant tools: the prices and price-changes endpoints, asked the same questions. */
export { handlePrices } from './endpoints/lookup';
export { handlePriceChanges } from './endpoints/changes';
/** Quotes and exports: prices in force (a lookup or a listing page), and the figures of a term. */
export { lookupPrices, LISTING_READ_LIMIT, type PriceQuery, type LookupCursor } from './lookup';
export type { PriceVersion } from './version';
export { PRICE_FIELDS, type PriceField } from './row';
export { termMonths, monthlyEquivalent } from './licenseFigures';
/** Exports: 404 MarketNotFound for a market and view never loaded, as GET /api/prices answers. */
export { marketSnapshots } from './endpoints/market';
/** Notifications: the committed snapshots, what changed between two of them. */
export { listSnapshots, type SnapshotRecord } from './tables/snapshots';
export { priceChanges, SnapshotNotFoundError, type ChangesCursor } from './changes';
