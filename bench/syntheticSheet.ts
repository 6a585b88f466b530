import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import yazl from 'yazl';

/**
 * A made-up Azure plan consumption sheet in Partner Center's exact format, for benchmarks and
 * large-file tests. Deterministic by seed; `priceChangeEvery` alters only prices, so a sheet with
 * it and one without are "today" and "the next day" of the same catalogue.
 */

export interface SyntheticSheetOptions {
  rows: number;
  seed: number;
  /** Change the price of every Nth row (N, 2N, ...). */
  priceChangeEvery?: number;
  format?: 'csv' | 'zip' | 'gzip';
  /** The sheet's market (column Market); default US. */
  market?: string;
}

/** The sheet's columns, in order. */
export const SHEET_COLUMNS = [
  'ProductTitle',
  'ProductId',
  'SkuId',
  'SkuTitle',
  'Publisher',
  'SkuDescription',
  'UnitOfMeasure',
  'TermDuration',
  'Market',
  'Currency',
  'UnitPrice',
  'PricingTierRangeMin',
  'PricingTierRangeMax',
  'EffectiveStartDate',
  'EffectiveEndDate',
  'MeterIds',
  'MeterType',
  'Tags',
];

/** A line as Partner Center writes it: every cell quoted, CRLF at the end. */
const csvLine = (cells: readonly string[]) => `"${cells.join('","')}"\r\n`;

const HEADER = csvLine(SHEET_COLUMNS);

const SERVICES = [
  'Virtual Machines',
  'Storage',
  'SQL Database',
  'Azure App Service',
  'Bandwidth',
  'Azure Cosmos DB',
  'Event Hubs',
  'Azure Monitor',
  'Backup',
  'Azure Kubernetes Service',
];
const REGIONS = ['US East', 'US West 2', 'EU West', 'EU North', 'AP Southeast', 'JA East', 'UK South', 'CA Central'];
const UNITS = ['1 Hour', '1 GB/Month', '10K', '1 GB', '100 Hours', '1/Month'];
const STARTS = [
  '3/1/2018 12:00:00 AM',
  '10/1/2020 12:00:00 AM',
  '2021-11-03T06:57:30.0682597Z',
  '2/1/2023 12:00:00 AM',
];
const OPEN_END = '11/30/9999 11:59:59 PM';
const TIERS: [string, string][] = [
  ['1', '100'],
  ['101', '100000'],
  ['100001', '9223372036854780000'],
];
const ROWS_PER_CHUNK = 1000;
/** Rows of a product: at least MIN, plus up to SPREAD more. */
const PRODUCT_ROWS_MIN = 80;
const PRODUCT_ROWS_SPREAD = 40;
/** Share of SKUs tagged ThirdParty, and share priced in three tiers. */
const THIRD_PARTY_SHARE = 0.05;
const TIERED_SHARE = 0.2;
/** A SKU's first-tier price is below this; each further tier costs TIER_FACTOR times the one before. */
const MAX_PRICE = 5;
const TIER_FACTOR = 0.8;
/** A "next day" price: 5 % up, plus a millionth so that the six published decimals always differ. */
const CHANGED_PRICE_FACTOR = 1.05;
const CHANGED_PRICE_STEP = 0.000001;

/** mulberry32: tiny, fast and good enough to spread meter ids evenly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `digits` random hex digits, 8 from each draw (a draw is a 32-bit number). */
function hex(next: () => number, digits: number): string {
  let text = '';
  while (text.length < digits)
    text += Math.floor(next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return text.slice(0, digits);
}

function guid(next: () => number): string {
  const digits = hex(next, 32);
  const groups = [
    digits.slice(0, 8),
    digits.slice(8, 12),
    digits.slice(12, 16),
    digits.slice(16, 20),
    digits.slice(20),
  ];
  return groups.join('-');
}

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)];

/** One SKU of the sheet, priced per meter. */
interface Sku {
  productTitle: string;
  productId: string;
  skuId: string;
  skuTitle: string;
  region: string;
  unit: string;
  start: string;
  meterId: string;
  tags: string;
}

/** Draws a SKU's fields (in a fixed order: the same seed gives the same sheet). */
function drawSku(next: () => number, product: Pick<Sku, 'productTitle' | 'productId'>, skuId: string): Sku {
  const region = pick(next, REGIONS);
  const skuTitle = `${pick(next, ['Standard', 'Premium', 'Basic', 'Hot', 'Cool'])} ${skuId}`;
  const unit = pick(next, UNITS);
  const start = pick(next, STARTS);
  const meterId = guid(next);
  const tags = next() < THIRD_PARTY_SHARE ? 'ThirdParty' : 'Azure';
  return { ...product, skuId, skuTitle, region, unit, start, meterId, tags };
}

/** The sheet line of one price tier of a SKU. */
function priceLine(sku: Sku, market: string, unitPrice: string, [min, max]: [string, string]): string {
  const { productTitle, skuTitle } = sku;
  return csvLine([
    productTitle,
    sku.productId,
    sku.skuId,
    skuTitle,
    'Microsoft',
    `${productTitle} ${skuTitle} - ${sku.region}`,
    sku.unit,
    '',
    market,
    'USD',
    unitPrice,
    min,
    max,
    sku.start,
    OPEN_END,
    sku.meterId,
    skuTitle,
    sku.tags,
  ]);
}

/** Yields the file text in chunks; each SKU is one meter, a fifth of them with three price tiers. */
function* sheetChunks(options: SyntheticSheetOptions): Generator<string> {
  const next = random(options.seed);
  const changeEvery = options.priceChangeEvery ?? 0;
  let chunk = HEADER;
  let chunkRows = 0;
  let row = 0;
  let productIndex = 0;
  while (row < options.rows) {
    const service = pick(next, SERVICES);
    const productId = `DZH318Z0${hex(next, 4).toUpperCase()}`;
    const productTitle = `${service} ${productIndex++}`;
    const productRows = PRODUCT_ROWS_MIN + Math.floor(next() * PRODUCT_ROWS_SPREAD);
    let productRow = 0;
    let skuIndex = 0;
    while (productRow < productRows && row < options.rows) {
      const skuId = (skuIndex++).toString(16).toUpperCase().padStart(4, '0');
      const sku = drawSku(next, { productTitle, productId }, skuId);
      const tiers: [string, string][] = next() < TIERED_SHARE ? TIERS : [['', '']];
      let price = next() * MAX_PRICE;
      for (const tier of tiers) {
        if (row >= options.rows) break;
        row++;
        productRow++;
        const changed = changeEvery > 0 && row % changeEvery === 0;
        const unitPrice = (changed ? price * CHANGED_PRICE_FACTOR + CHANGED_PRICE_STEP : price).toFixed(6);
        chunk += priceLine(sku, options.market ?? 'US', unitPrice, tier);
        price *= TIER_FACTOR;
        if (++chunkRows === ROWS_PER_CHUNK) {
          yield chunk;
          chunk = '';
          chunkRows = 0;
        }
      }
    }
  }
  if (chunk !== '') yield chunk;
}

export async function writeSyntheticSheet(
  filePath: string,
  options: SyntheticSheetOptions,
): Promise<{ rows: number; bytes: number }> {
  const text = Readable.from(sheetChunks(options));
  const format = options.format ?? 'csv';
  if (format === 'csv') await pipeline(text, fs.createWriteStream(filePath));
  if (format === 'gzip') await pipeline(text, zlib.createGzip(), fs.createWriteStream(filePath));
  if (format === 'zip') {
    const zip = new yazl.ZipFile();
    const entry = new PassThrough();
    zip.addReadStream(entry, `${path.basename(filePath).replace(/\.[^.]*$/, '')}.csv`);
    zip.end();
    await Promise.all([pipeline(text, entry), pipeline(zip.outputStream, fs.createWriteStream(filePath))]);
  }
  return { rows: options.rows, bytes: (await fs.promises.stat(filePath)).size };
}
