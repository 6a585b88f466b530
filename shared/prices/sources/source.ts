import type { Readable } from 'node:stream';
import type { SheetFormat } from '../../formats/priceFile';
import { SourceError } from '../../http/sourceErrors';
import type { PriceView, Timeline } from '../views';

/** The port every price sheet source implements: partnercenter, retail, sample, file:<path>. */

export interface PriceSheetRequest {
  market: string;
  view: PriceView;
  timeline: Timeline;
  /**
   * A past month (YYYYMM) whose list to serve: the list in force on its first day, a `current`
   * list as of that day. Partner Center serves it from its `timeline=history`; the other sources
   * have one list whatever the month, and backfill by month only from Partner Center.
   */
  month?: string;
}

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
  /**
   * Whether it can serve the prices of a past day (a backfill). A source without history serves
   * only today's list: fetched "as of" another day, it would store today's prices under that day.
   */
  readonly history: boolean;
  fetchPriceSheet(request: PriceSheetRequest, signal?: AbortSignal): Promise<PriceSheetDownload>;
}

/** `updatedlicensebased` + `future` answers 404 when no price changes are planned: not a failure of the source. */
export class NoPlannedChangesError extends SourceError {
  constructor(request: PriceSheetRequest) {
    super('Partner Center has no planned price changes (the future price sheet answered 404)', request, 404);
    this.name = 'NoPlannedChangesError';
  }
}
