import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/paths';
import type { PriceSheetDownload, PriceSheetRequest, PriceSheetSource } from '../ports/priceSheetSource';
import { SourceError } from '../ports/priceSheetSource';

/** Bundled SAMPLE price sheets (`sample-data/`), in Partner Center's format: no credentials needed. */

const SAMPLE_MARKET = 'US';
const SAMPLE_VIEWS = ['azure_consumption', 'azure_reservations'] as const;

export function sampleDataDir(): string {
  return path.join(projectRoot(), 'sample-data');
}

export function createSampleSource(): PriceSheetSource {
  return {
    name: 'sample',
    async fetchPriceSheet(request: PriceSheetRequest): Promise<PriceSheetDownload> {
      const covered =
        request.market === SAMPLE_MARKET && (SAMPLE_VIEWS as readonly string[]).includes(request.view);
      if (!covered) {
        throw new SourceError(
          `no sample data for ${request.market}/${request.view}; the sample covers ${SAMPLE_MARKET} ${SAMPLE_VIEWS.join(' and ')}`,
          request,
        );
      }
      if (request.timeline !== 'current') {
        throw new SourceError(`no sample data for the ${request.timeline} timeline; the sample covers current prices only`, request);
      }
      const file = path.join(sampleDataDir(), `${request.market}_${request.view}.csv`);
      await fs.promises.access(file, fs.constants.R_OK);
      return { body: fs.createReadStream(file), format: 'partnercenter-csv', origin: `sample:${path.basename(file)}` };
    },
  };
}
