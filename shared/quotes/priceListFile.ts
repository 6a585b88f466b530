import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { z } from 'zod';
import type { exportFormatSchema } from '../api/schemas';
import { csvLine, neutralizeFormula } from '../formats/csv';
import { PRICE_FIELDS, type PriceField } from '../prices';
import { PUBLISHED_LABELS, type PriceList, type PriceListRow, type Provenance } from './priceList';

/**
 * A price list as a file a sales team opens: CSV (through the app's one CSV cell writer) or xlsx
 * (exceljs's streaming WorkbookWriter). Both are produced a listing page at a time as the reader takes
 * them, so memory stays flat whatever the size of the list. Text cells are neutralised against
 * formulas in both; the provenance comes first (CSV: `#` comment lines before the header; xlsx: an
 * "About" sheet before the "Prices" sheet).
 */

export type ExportFormat = z.output<typeof exportFormatSchema>;

export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const DERIVED_LABELS = [
  'Price currency',
  'Converted unit price',
  'PEC %',
  'Partner unit cost',
  'Customer unit price',
  'Price rule',
];
export const EXPORT_HEADER = [...PRICE_FIELDS.map((field) => PUBLISHED_LABELS[field]), ...DERIVED_LABELS];

/** Published fields that are numbers (written as numbers in xlsx). */
const NUMERIC: ReadonlySet<PriceField> = new Set<PriceField>([
  'unitPrice',
  'pricingTierRangeMin',
  'pricingTierRangeMax',
  'erpPrice',
]);

/** The provenance as label/value pairs, in the order both formats write them. */
export function provenancePairs(p: Provenance): [string, string][] {
  return [
    ['Price list', `market ${p.market}, view ${p.view}`],
    ['Prices in force at (UTC)', p.pricesInForceAt],
    [
      'Price snapshot',
      p.snapshot ? `as of ${p.snapshot.asOf}, source ${p.snapshot.source}` : 'none on or before that day',
    ],
    [
      'Conversion',
      p.conversion
        ? `to ${p.conversion.currency} with the exchange rates of ${p.conversion.rateDate} (source ${p.conversion.source}), ` +
          `via ${p.conversion.via}, ${p.conversion.rounding} to ${p.conversion.decimals} decimals`
        : 'none (published currencies)',
    ],
    ['Partner-earned credit', `${p.pecPercent} % on eligible Azure plan consumption (PEC_PERCENT)`],
    [
      'Customer prices',
      `${p.rules} price rules; customer ${p.customer ?? '(none)'}, customer group ${p.customerGroup ?? '(none)'}`,
    ],
  ];
}

/** A row's cells as text, in EXPORT_HEADER order (null: empty). */
function cells(row: PriceListRow): (string | null)[] {
  return [
    ...PRICE_FIELDS.map((field) => row.published[field]),
    row.currency,
    row.convertedUnitPrice,
    row.pecPercent,
    row.partnerUnitCost,
    row.customerUnitPrice,
    row.ruleId,
  ];
}

const NUMERIC_COLUMNS = new Set([
  ...PRICE_FIELDS.flatMap((field, i) => (NUMERIC.has(field) ? [i] : [])),
  PRICE_FIELDS.length + 1,
  PRICE_FIELDS.length + 2,
  PRICE_FIELDS.length + 3,
  PRICE_FIELDS.length + 4,
]);

async function* csvChunks(list: PriceList): AsyncIterable<Buffer> {
  const comments = provenancePairs(list.provenance).map(([label, value]) => `# ${label}: ${value}\n`);
  yield Buffer.from(comments.join('') + csvLine(EXPORT_HEADER));
  for await (const page of list.rows) {
    yield Buffer.from(page.map((row) => csvLine(cells(row).map((cell) => cell ?? ''))).join(''));
  }
}

/** An xlsx cell: numbers as numbers (IEEE doubles, as spreadsheets hold them), text neutralised. */
const xlsxCell = (value: string | null, numeric: boolean): string | number | null =>
  value === null || value === '' ? null : numeric ? Number(value) : neutralizeFormula(value);

async function writeXlsx(list: PriceList, out: PassThrough): Promise<void> {
  // Loaded on the first xlsx export: exceljs is the largest module the function app would load at
  // start, and every function module is loaded before the first invocation (docs/design.md: cold start).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stream } = require('exceljs') as typeof ExcelJS;
  const workbook = new stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const about = workbook.addWorksheet('About');
  for (const [label, value] of provenancePairs(list.provenance))
    about.addRow([label, neutralizeFormula(value)]).commit();
  about.commit();
  const sheet = workbook.addWorksheet('Prices');
  sheet.addRow(EXPORT_HEADER).commit();
  for await (const page of list.rows) {
    for (const row of page) sheet.addRow(cells(row).map((cell, i) => xlsxCell(cell, NUMERIC_COLUMNS.has(i)))).commit();
    // The zip stream writes into `out` as the reader takes it: wait for the reader before the next page.
    if (out.writableNeedDrain) await once(out, 'drain');
  }
  sheet.commit();
  await workbook.commit();
}

/** The file as a stream; a failure while it is produced destroys the stream with the error. */
export function priceListFile(list: PriceList, format: ExportFormat): Readable {
  if (format === 'csv') return Readable.from(csvChunks(list), { objectMode: false });
  const out = new PassThrough();
  writeXlsx(list, out).catch((error: unknown) => out.destroy(error as Error));
  return out;
}
