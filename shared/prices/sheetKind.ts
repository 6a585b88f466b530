import { priceViewSchema, type PriceView } from './views';
import { validatePriceRecord } from './row';
import { readPriceFile } from '../formats/priceFile';

const PEEK_ROWS = 1000;

/**
 * What the header and first rows of a price file show, before anyone decides: the classifier
 * (shared/uploads/classify) weighs it against the labels a file comes with.
 */
export interface SheetEvidence {
  /** Markets of the valid rows among the first rows, sorted. */
  markets: string[];
  /** The view the file shows, or undefined with `viewProblem` saying why it shows none. */
  view: PriceView | undefined;
  viewProblem: string;
}

/**
 * View: license-based sheets have BillingPlan / ERP Price columns; Azure plan reservations carry the
 * Reservation tag or a P1Y/P3Y term; consumption rows the Consumption tag. Anything else shows no view.
 */
export async function readSheetEvidence(file: string): Promise<SheetEvidence> {
  const markets = new Set<string>();
  let licenseBased = false;
  let reservations = 0;
  let consumption = 0;
  let seen = 0;
  for await (const item of readPriceFile(file)) {
    if ('error' in item) continue;
    licenseBased ||= 'billingPlan' in item.record || 'erpPrice' in item.record;
    const verdict = validatePriceRecord(item.record);
    if (!verdict.ok) continue;
    const { row } = verdict;
    markets.add(row.market);
    const tags = row.tags.toLowerCase();
    if (tags.includes('reservation') || /^P\d+Y$/i.test(row.termDuration)) reservations++;
    else if (tags.includes('consumption')) consumption++;
    if (++seen >= PEEK_ROWS) break;
  }
  const view = licenseBased
    ? 'updatedlicensebased'
    : reservations > 0 && consumption === 0
      ? 'azure_reservations'
      : consumption > 0 && reservations === 0
        ? 'azure_consumption'
        : undefined;
  return {
    markets: [...markets].sort(),
    view,
    viewProblem: view
      ? ''
      : `cannot tell the price sheet view from the file (${consumption} consumption-like and ${reservations} reservation-like rows); name it (${priceViewSchema.options.join(', ')})`,
  };
}
