import { priceViewSchema, type PriceView } from './views';
import { validatePriceRecord } from './row';
import { readPriceFile } from '../formats/priceFile';

/** What a price file is, read from its header and first rows — for files that arrive without a label. */
export interface SheetKind {
  market: string;
  view: PriceView;
}

const PEEK_ROWS = 1000;

export class AmbiguousSheetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmbiguousSheetError';
  }
}

/** What the header and first rows of a price file show, before anyone decides (labels may add to it). */
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

/** Market from the rows (several markets → refused) and view from the evidence, unless given. */
export async function detectSheetKind(file: string, given: { market?: string; view?: PriceView }): Promise<SheetKind> {
  const evidence = await readSheetEvidence(file);
  const market = given.market ?? singleMarket(evidence.markets);
  const view = given.view ?? evidence.view;
  if (!view) throw new AmbiguousSheetError(evidence.viewProblem);
  return { market, view };
}

/** The one market of the rows; none or several → AmbiguousSheetError. */
export function singleMarket(markets: readonly string[]): string {
  if (markets.length === 1) return markets[0];
  if (markets.length === 0) throw new AmbiguousSheetError('no valid rows to read the market from; name it');
  throw new AmbiguousSheetError(`the file mixes markets ${markets.join(', ')}; one market per file, or name it`);
}
