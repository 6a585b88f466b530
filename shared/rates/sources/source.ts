import type { Readable } from 'node:stream';

/** The port every exchange-rate source implements: partnercenter, ecb, sample, file:<path>. */

export interface RatesRequest {
  /** The as-of day of the fetch (Partner Center: its month is the one asked for). */
  asOf: string;
}

export interface RatesDownload {
  /** The raw bytes, as received: the pipeline archives them before parsing. */
  body: Readable;
  /** Human-readable origin for the run ledger and errors (never credentials). */
  origin: string;
}

export interface FxRatesSource {
  readonly name: string;
  fetchRates(request: RatesRequest, signal?: AbortSignal): Promise<RatesDownload>;
}
