import fs from 'node:fs';
import readline from 'node:readline';
import { z } from 'zod';
import { OPEN_END } from '../core/dates';
import type { PriceRecord } from '../prices/row';
import type { ReadLine } from '../prices/row';
import { FileFault } from '../files/fault';

/**
 * The Retail Prices API's JSON pages (stored one page per line, as received) read as Partner
 * Center price records. Prices keep every digit: numbers are turned into their source text
 * before JSON.parse could round them to a double.
 */

/** A JSON string (skipped whole, escapes included) or a number literal (quoted). */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;

/** Valid JSON in, the same JSON with every number literal as a string of its exact text. */
export function numbersAsText(json: string): string {
  return json.replace(STRING_OR_NUMBER, (token) => (token.startsWith('"') ? token : `"${token}"`));
}

const pageSchema = z.object({
  Items: z.array(z.unknown()),
  NextPageLink: z.string().nullish(),
});

export interface RetailPage {
  items: unknown[];
  nextPageLink: string | null;
}

/** Throws FileFault for a page that is not the API's envelope. */
export function parseRetailPage(text: string): RetailPage {
  let json: unknown;
  try {
    json = JSON.parse(numbersAsText(text));
  } catch (error) {
    throw new FileFault(`not JSON: ${(error as Error).message}`);
  }
  const page = pageSchema.safeParse(json);
  if (!page.success) throw new FileFault('not a Retail Prices page (no Items array)');
  return { items: page.data.Items, nextPageLink: page.data.NextPageLink ?? null };
}

const text = z.string().nullish();
const savingsPlanSchema = z.object({ retailPrice: text, unitPrice: text, term: text });
const itemSchema = z.object({
  productName: text,
  productId: text,
  skuId: text,
  skuName: text,
  serviceName: text,
  meterName: text,
  armRegionName: text,
  location: text,
  unitOfMeasure: text,
  reservationTerm: text,
  currencyCode: text,
  retailPrice: text,
  tierMinimumUnits: text,
  effectiveStartDate: text,
  effectiveEndDate: text,
  meterId: text,
  type: text,
  savingsPlan: z.array(savingsPlanSchema).nullish(),
});

type RetailItem = z.infer<typeof itemSchema>;

/** The price type of a savings-plan row: the API lists savings plans inside their meter's item. */
const SAVINGS_PLAN = 'SavingsPlan';

/** '1 Year' → P1Y, '3 Years' → P3Y; other text is kept for the row check to judge. */
function termDuration(term: string | null | undefined): string {
  const years = /^\s*(\d+)\s+years?\s*$/i.exec(term ?? '');
  return years ? `P${years[1]}Y` : (term ?? '');
}

/**
 * An item as rows: its own price, then one row per savings-plan term (same meter, the term as
 * termDuration, which keeps their version keys apart). Each row carries the item's region.
 */
function retailItemToRecords(item: RetailItem, market: string): PriceRecord[] {
  const v = (s: string | null | undefined) => s ?? '';
  const base: PriceRecord = {
    productTitle: v(item.productName),
    productId: v(item.productId),
    skuId: v(item.skuId),
    skuTitle: v(item.skuName),
    publisher: 'Microsoft',
    // Kept as it always was (a change would count every stored retail row as changed); meterName
    // tells a SKU's meters apart. The region is also its own field.
    skuDescription: [item.serviceName, item.skuName, item.meterName, item.armRegionName].filter((s) => s).join(' / '),
    unitOfMeasure: v(item.unitOfMeasure),
    termDuration: termDuration(item.reservationTerm),
    market,
    currency: v(item.currencyCode),
    unitPrice: v(item.retailPrice),
    pricingTierRangeMin: v(item.tierMinimumUnits),
    effectiveStartDate: v(item.effectiveStartDate),
    // Most items have no end: open-ended, like Partner Center's year 9999. An end the API states is kept.
    effectiveEndDate: item.effectiveEndDate || OPEN_END,
    meterId: v(item.meterId),
    meterType: v(item.type),
    tags: v(item.type),
    region: v(item.armRegionName),
    location: v(item.location),
    priceType: v(item.type),
  };
  const plans = (item.savingsPlan ?? []).map((plan): PriceRecord => ({
    ...base,
    termDuration: termDuration(plan.term),
    unitPrice: v(plan.retailPrice),
    tags: SAVINGS_PLAN,
    priceType: SAVINGS_PLAN,
  }));
  return [base, ...plans];
}

/**
 * Reads a stored `retail-json-pages` file. `line` is the item's 1-based ordinal across all pages
 * (a page is one physical line, so line numbers would not point at a row); an item's savings-plan
 * rows share its ordinal.
 */
export async function* readRetailPages(filePath: string, market: string): AsyncGenerator<ReadLine> {
  const lines = readline.createInterface({ input: fs.createReadStream(filePath, 'utf8'), crlfDelay: Infinity });
  let pageNumber = 0;
  let ordinal = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    pageNumber += 1;
    let page: RetailPage;
    try {
      page = parseRetailPage(line);
    } catch (error) {
      throw new FileFault(`retail page ${pageNumber} of ${filePath}: ${(error as Error).message}`);
    }
    for (const raw of page.items) {
      ordinal += 1;
      const item = itemSchema.safeParse(raw);
      if (item.success) {
        for (const record of retailItemToRecords(item.data, market)) yield { line: ordinal, record };
        continue;
      }
      const issues = item.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
      yield { line: ordinal, error: `item ${ordinal} is not a Retail Prices item: ${issues}` };
    }
  }
}
