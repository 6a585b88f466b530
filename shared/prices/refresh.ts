import type { Settings } from '../config/settings';
import type { Logger } from '../observability/logger';
import type { PriceSheetSource } from './sources/source';
import type { PriceView, Timeline } from './views';
import type { StorageClients } from '../storage/clients';
import { ingestPriceSheet, type IngestProgress } from './ingest';
import type { PipelineRun } from '../runs/recordedRun';

export interface RefreshRequest {
  storage: StorageClients;
  settings: Settings;
  logger: Logger;
  source: PriceSheetSource;
  markets: readonly string[];
  views: readonly PriceView[];
  timeline: Timeline;
  asOf: string;
  /** A past month (YYYYMM) whose list to fetch, as of its first day (see PriceSheetRequest). */
  month?: string;
  /** The operator confirmed removals above REMOVAL_GUARD_PERCENT (see IngestRequest). */
  allowMassRemoval?: boolean;
  kind: 'refresh';
  onProgress?: (market: string, view: PriceView, progress: IngestProgress) => void;
}

/**
 * Refreshes every market × view from one source. A failing market or view does not stop the
 * others; each gets its own run in the ledger, so the ledger tells which failed.
 */
export async function refreshPrices(req: RefreshRequest): Promise<PipelineRun[]> {
  const results: PipelineRun[] = [];
  for (const market of req.markets) {
    for (const view of req.views) {
      const request = { market, view, timeline: req.timeline, month: req.month };
      results.push(
        await ingestPriceSheet({
          storage: req.storage,
          settings: req.settings,
          logger: req.logger,
          open: () => req.source.fetchPriceSheet(request),
          kind: req.kind,
          source: req.source.name,
          market,
          view,
          timeline: req.timeline,
          asOf: req.asOf,
          allowMassRemoval: req.allowMassRemoval,
          onProgress: (progress) => req.onProgress?.(market, view, progress),
        }),
      );
    }
  }
  return results;
}
