import type { Readable } from 'node:stream';
import type { PriceView } from '../../config/settings';

/** The port every price sheet source implements: partnercenter, retail, sample, file:<path>. */

export type Timeline = 'current' | 'future';

export interface PriceSheetRequest {
  market: string;
  view: PriceView;
  timeline: Timeline;
}

/** How the bytes of a download are to be read. */
export type SheetFormat =
  /** Partner Center CSV, plain or zip/gzip/deflate compressed (recognised by its first bytes). */
  | 'partnercenter-csv'
  /** Retail Prices API pages, one JSON page per line, as received. */
  | 'retail-json-pages';

export interface PriceSheetDownload {
  /** The raw bytes, as received: the pipeline archives them before parsing. */
  body: Readable;
  format: SheetFormat;
  /** Human-readable origin for the run ledger and errors (never credentials). */
  origin: string;
}

export interface PriceSheetSource {
  /** `partnercenter`, `retail`, `sample` or `file:<path>`. */
  readonly name: string;
  fetchPriceSheet(request: PriceSheetRequest, signal?: AbortSignal): Promise<PriceSheetDownload>;
}

/** A source gave up (after its retries): names the market and view. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly request: PriceSheetRequest,
    readonly status?: number,
  ) {
    super(`${request.market}/${request.view}: ${message}`);
    this.name = 'SourceError';
  }
}

/** `updatedlicensebased` + `future` answers 404 when no price changes are planned: not a failure of the source. */
export class NoPlannedChangesError extends SourceError {
  constructor(request: PriceSheetRequest) {
    super('Partner Center has no planned price changes (the future price sheet answered 404)', request, 404);
    this.name = 'NoPlannedChangesError';
  }
}
