import fs from 'node:fs';
import path from 'node:path';
import { sampleDataDir } from '../../config/paths';
import type { PriceSheetDownload, PriceSheetRequest, PriceSheetSource } from './source';
import { SourceError } from '../../http/sourceErrors';
import { NoPlannedChangesError } from './source';

/** Bundled SAMPLE price sheets (`sample-data/`), in Partner Center's format: no credentials needed. */

/**
 * The day the sample data is of (sample-data/README.md): `npm start` loads it as of this day, so
 * the dated examples of the docs hold on any later day, and the sample rates' Month is its month.
 */
export const SAMPLE_AS_OF = '2026-11-01';

const SAMPLE_MARKET = 'US';
const SAMPLE_VIEWS = ['azure_consumption', 'azure_reservations'] as const;
/** License-based samples: current lists, and the future (next month) list where one is bundled. */
const LICENSE_VIEW = 'updatedlicensebased';
const LICENSE_MARKETS = ['US', 'DE'];
const LICENSE_FUTURE_MARKETS = ['US'];

export function createSampleSource(): PriceSheetSource {
  return {
    name: 'sample',
    history: true,
    async fetchPriceSheet(request: PriceSheetRequest): Promise<PriceSheetDownload> {
      if (request.view === LICENSE_VIEW) return licenseSample(request);
      const covered = request.market === SAMPLE_MARKET && (SAMPLE_VIEWS as readonly string[]).includes(request.view);
      if (!covered) {
        throw new SourceError(
          `no sample data for ${request.market}/${request.view}; the sample covers ` +
            `${SAMPLE_MARKET} ${SAMPLE_VIEWS.join(' and ')}, and ${LICENSE_MARKETS.join(' and ')} ${LICENSE_VIEW}`,
          request,
        );
      }
      if (request.timeline !== 'current') {
        throw new SourceError(
          `no sample data for the ${request.timeline} timeline; the sample covers current prices only`,
          request,
        );
      }
      const file = path.join(sampleDataDir(), `${request.market}_${request.view}.csv`);
      await fs.promises.access(file, fs.constants.R_OK);
      return { body: fs.createReadStream(file), format: 'partnercenter-csv', origin: `sample:${path.basename(file)}` };
    },
  };
}

/** Like Partner Center: a market without a bundled future list has "no planned changes". */
async function licenseSample(request: PriceSheetRequest): Promise<PriceSheetDownload> {
  if (!LICENSE_MARKETS.includes(request.market)) {
    throw new SourceError(
      `no sample data for ${request.market}/${LICENSE_VIEW}; the sample covers ${LICENSE_MARKETS.join(' and ')}`,
      request,
    );
  }
  if (request.timeline === 'future' && !LICENSE_FUTURE_MARKETS.includes(request.market))
    throw new NoPlannedChangesError(request);
  const suffix = request.timeline === 'future' ? '_future' : '';
  const file = path.join(sampleDataDir(), `${request.market}_${LICENSE_VIEW}${suffix}.csv`);
  await fs.promises.access(file, fs.constants.R_OK);
  return { body: fs.createReadStream(file), format: 'partnercenter-csv', origin: `sample:${path.basename(file)}` };
}
