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
  /** Whether it can serve the rates of a past day (Partner Center: any month's file; ECB: today's only). */
  readonly history: boolean;
  /**
   * Where a download's day comes from: `request` — a live fetch is the rates of the as-of day it
   * was asked for; `file` — a file states its own day (ECB `time`) or month (FX `Month`), which
   * the as-of day must agree with (shared/rates/ingest).
   */
  readonly dayFrom: 'request' | 'file';
  fetchRates(request: RatesRequest, signal?: AbortSignal): Promise<RatesDownload>;
}
