import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { freePort, startAzurite } from '../runtime/azurite';
import { loadSettings } from '../shared/config/settings';
import { createLogger } from '../shared/observability/logger';
import { createStorageClients, type StorageClients } from '../shared/storage/clients';
import { lookupPrices } from '../shared/prices/lookup';
import { quote, quoteRequestSchema } from '../shared/quotes/quote';
import { putRule } from '../shared/quotes/ruleStore';
import { ruleBodySchema, ruleOf } from '../shared/quotes/rule';
import { SHEET_COLUMNS } from './syntheticSheet';
import { benchRates, ingestSyntheticSheet, silent } from './marketData';

/**
 * Quote benchmark: quotes of LINES lines each — every line a tiered meter (the quantity crosses into the
 * second tier), converted USD → EUR, for a customer with RULES price rules on record — against the bare
 * lookups the quote needs (one lookupPrices of each line's meter, in parallel as the quote makes them),
 * interleaved in one run against one embedded storage. Market: a synthetic sheet of 20,000 rows unless
 * --rows says (a quote reads its lines' meters only, so the size of the market hardly matters).
 */

const DATE = '2026-11-01';
const INSTANT = `${DATE}T00:00:00.0000000Z`;
const LINES = 20;
const ROUNDS = 60;
const WARMUP = 10;
const RULES = 50;
const METER_IDS_COLUMN = SHEET_COLUMNS.indexOf('MeterIds');
const PRODUCT_ID_COLUMN = SHEET_COLUMNS.indexOf('ProductId');
const TIER_MIN_COLUMN = SHEET_COLUMNS.indexOf('PricingTierRangeMin');

/** Meters priced in tiers (a second tier from 101), and their products, from the file itself. */
async function tieredMeters(file: string, count: number): Promise<{ meters: string[]; products: string[] }> {
  const meters: string[] = [];
  const products: string[] = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    const cells = line.slice(1, -1).split('","');
    if (cells[TIER_MIN_COLUMN] !== '101') continue;
    meters.push(cells[METER_IDS_COLUMN]);
    products.push(cells[PRODUCT_ID_COLUMN]);
    if (meters.length === count) break;
  }
  return { meters, products };
}

/** RULES rules of every kind of scope; the customer's own (a product rule) wins for some lines. */
async function storeRules(storage: StorageClients, products: string[]): Promise<void> {
  for (let i = 0; i < RULES; i++) {
    const scope =
      i % 5 === 0
        ? { customer: 'contoso', productId: products[i % products.length] }
        : i % 5 === 1
          ? { customerGroup: `group-${i}` }
          : i % 5 === 2
            ? { productId: products[(i * 7) % products.length] }
            : i % 5 === 3
              ? { tag: 'Azure', market: 'US' }
              : { customer: i === 4 ? 'contoso' : `customer-${i}` };
    const body = ruleBodySchema.parse({
      scope,
      adjustment: { type: i % 2 ? 'markupPercent' : 'marginPercent', percent: String(10 + (i % 20)) },
      validFrom: '2026-01-01',
    });
    await putRule(storage, ruleOf(`rule-${String(i).padStart(3, '0')}`, body));
  }
}

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runQuoteBench(options: { rows?: number; workDir: string }): Promise<Record<string, unknown>> {
  const rows = options.rows ?? 20_000;
  const azurite = await startAzurite({
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
  });
  try {
    const settings = loadSettings({ AzureWebJobsStorage: azurite.connectionString, STORAGE_NAME_PREFIX: 'quotes' });
    const storage = createStorageClients(settings);
    const file = path.join(options.workDir, `quote-sheet-${rows}.csv`);
    await ingestSyntheticSheet({ storage, logger: createLogger(silent) }, settings, file, rows, DATE);
    await benchRates(storage, settings, DATE);
    const { meters, products } = await tieredMeters(file, LINES * 10);
    if (meters.length < LINES) throw new Error(`the sheet has only ${meters.length} tiered meters`);
    await storeRules(storage, products);

    const quoteMs: number[] = [];
    const lookupMs: number[] = [];
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const lineMeters = Array.from({ length: LINES }, (_, j) => meters[(i * LINES + j) % meters.length]);
      const request = quoteRequestSchema.parse({
        market: 'US',
        date: DATE,
        currency: 'EUR',
        customer: 'contoso',
        lines: lineMeters.map((meterId) => ({ meterId, view: 'azure_consumption', quantity: '150.5' })),
      });
      // Interleaved, so that both see the same Azurite, cache and GC conditions.
      const lookupStart = performance.now();
      const pages = await Promise.all(
        lineMeters.map((meterId) =>
          lookupPrices(storage, { market: 'US', view: 'azure_consumption', meterId, instant: INSTANT, top: 1000 }),
        ),
      );
      const lookupTime = performance.now() - lookupStart;
      if (pages.some((page) => page.versions.length < 2)) throw new Error('a sampled meter is not tiered');
      const quoteStart = performance.now();
      const result = await quote(storage, settings, request);
      const quoteTime = performance.now() - quoteStart;
      if (result.lines.some((line) => line.tiers.length !== 2 || line.rule === null))
        throw new Error('a quote line did not cross into the second tier or found no rule');
      if (i >= WARMUP) {
        lookupMs.push(lookupTime);
        quoteMs.push(quoteTime);
      }
    }
    const totalLines = ROUNDS * LINES;
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const quoteLinesPerSecond = totalLines / (sum(quoteMs) / 1000);
    const lookupLinesPerSecond = totalLines / (sum(lookupMs) / 1000);
    return {
      rows,
      quotes: ROUNDS,
      linesPerQuote: LINES,
      rulesOnRecord: RULES,
      quote: { linesPerSecond: Math.round(quoteLinesPerSecond), p50QuoteMs: round(median(quoteMs)) },
      bareLookups: { linesPerSecond: Math.round(lookupLinesPerSecond), p50Ms: round(median(lookupMs)) },
      quoteVsLookups: round(quoteLinesPerSecond / lookupLinesPerSecond),
      note: 'each line: a tiered meter, 150.5 units across two tiers, USD → EUR, customer rules; the quote also reads the rules and the rates',
    };
  } finally {
    await azurite.stop();
  }
}
