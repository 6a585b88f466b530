import fs from 'node:fs';
import path from 'node:path';
import { sampleDataDir } from '../../config/paths';
import type { Settings } from '../../config/settings';
import { createEcbRatesSource } from './ecb';
import { createPartnerCenterFxSource } from './partnerCenter';
import type { FxRatesSource } from './source';

const SAMPLE_RATES_FILE = 'fxrates.csv';

/** The sources whose `history` is true, as a refusal of a backfill names them. */
export const RATES_BACKFILL_SOURCES = 'partnercenter, sample or file:<path>';

/** The source named by RATES_SOURCE (or `name`). */
export function createFxRatesSource(settings: Settings, name: string = settings.RATES_SOURCE): FxRatesSource {
  if (name === 'partnercenter') return createPartnerCenterFxSource(settings);
  if (name === 'ecb') return createEcbRatesSource(settings);
  // The bundled sample is made up: like the sample prices, it is whatever day it is given (the
  // timer's today included), so a local setup keeps working after the sample's month.
  if (name === 'sample')
    return localFileSource(
      'sample',
      path.join(sampleDataDir(), SAMPLE_RATES_FILE),
      `sample:${SAMPLE_RATES_FILE}`,
      'request',
    );
  if (name.startsWith('file:') && name.length > 'file:'.length) {
    const file = path.resolve(name.slice('file:'.length));
    return localFileSource(name, file, `file:${file}`, 'file');
  }
  throw new Error(`unknown rates source "${name}": use partnercenter, ecb, sample or file:<path>`);
}

/** A file on disk (the bundled SAMPLE rates, or a file downloaded by hand): either format, any compression. */
function localFileSource(name: string, file: string, origin: string, dayFrom: FxRatesSource['dayFrom']): FxRatesSource {
  return {
    name,
    history: true,
    dayFrom,
    async fetchRates() {
      const stat = await fs.promises.stat(file).catch(() => undefined);
      if (!stat?.isFile()) throw new Error(`rates file ${file} does not exist or is not a file`);
      return { body: fs.createReadStream(file), origin };
    },
  };
}
