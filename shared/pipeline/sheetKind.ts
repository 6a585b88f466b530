import { priceViewSchema, type PriceView } from '../config/settings';
import { validatePriceRecord } from '../domain/priceRow';
import { readPriceFile } from '../parsing/readPriceFile';

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

/**
 * Market: the Market column of the first rows (several markets → refused). View: license-based
 * sheets have BillingPlan / ERP Price columns; Azure plan reservations carry the Reservation tag or
 * a P1Y/P3Y term; consumption rows the Consumption tag. Anything else is refused, not guessed.
 */
export async function detectSheetKind(file: string, given: { market?: string; view?: PriceView }): Promise<SheetKind> {
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
  const market = given.market ?? single(markets, 'markets');
  const view =
    given.view ??
    (licenseBased
      ? 'updatedlicensebased'
      : reservations > 0 && consumption === 0
        ? 'azure_reservations'
        : consumption > 0 && reservations === 0
          ? 'azure_consumption'
          : undefined);
  if (!view) {
    throw new AmbiguousSheetError(
      `cannot tell the price sheet view from the file (${consumption} consumption-like and ${reservations} reservation-like rows); name it (${priceViewSchema.options.join(', ')})`,
    );
  }
  return { market, view };
}

function single(values: Set<string>, what: string): string {
  if (values.size === 1) return [...values][0];
  if (values.size === 0) throw new AmbiguousSheetError(`no valid rows to read the ${what} from; name it`);
  throw new AmbiguousSheetError(`the file mixes ${what} ${[...values].sort().join(', ')}; one ${what.replace(/s$/, '')} per file, or name it`);
}
