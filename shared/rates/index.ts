/**
 * What other features may use of exchange rates (they import rates through this file only; the
 * dependency rules in .dependency-cruiser.js enforce it). Entry points (functions/, cli/,
 * runtime/, bench/) may import any module of shared/ directly.
 */

/** Prices: converting a price with the rates in force on its day, and how it is rounded. */
export { CONVERSION } from './rate';
export { converterFor, converterOf, RateNotFoundError, type Converter } from './lookup';
/** Uploads: run a dropped exchange-rate file through the rate pipeline; the fetch in force on a day. */
export { ingestRates } from './ingest';
export { rateSnapshotOnOrBefore } from './snapshots';
/** Assistant tools: the exchange-rates endpoint, asked the same question. */
export { handleExchangeRates } from './endpoint';
