import type { Settings } from '../../config/settings';
import type { PriceSheetSource } from './source';
import { createFileSource } from './file';
import { createPartnerCenterSource } from './partnerCenter';
import { createRetailSource } from './retail';
import { createSampleSource } from './sample';

/** The sources whose `history` is true, as a refusal of a backfill names them. */
export const PRICE_BACKFILL_SOURCES = 'partnercenter, sample or file:<path>';

/** The source named by PRICES_SOURCE (or `name`): partnercenter, retail, sample or file:<path>. */
export function createPriceSheetSource(settings: Settings, name: string = settings.PRICES_SOURCE): PriceSheetSource {
  if (name === 'partnercenter') return createPartnerCenterSource(settings);
  if (name === 'retail') return createRetailSource(settings);
  if (name === 'sample') return createSampleSource();
  if (name.startsWith('file:') && name.length > 'file:'.length) return createFileSource(name.slice('file:'.length));
  throw new Error(`unknown price source "${name}": use partnercenter, retail, sample or file:<path>`);
}
