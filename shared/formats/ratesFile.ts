import { parse } from 'csv-parse/sync';
import { FileFault } from '../files/fault';
import { exchangeRateSchema, ratesFromEuroReference, type ExchangeRate } from '../rates/rate';

/**
 * The two exchange-rate file formats, recognised by their content (files get renamed):
 * - Partner Center `fxrates`: CSV with header `"CurrencyCode","USDPerUnit","Month"`, every value quoted;
 * - the ECB's `eurofxref-daily.xml`: `<Cube time="YYYY-MM-DD"><Cube currency="USD" rate="1.0921"/>…`.
 */

export type RatesFormat = 'partnercenter-fx-csv' | 'ecb-xml';

export interface ParsedRates {
  format: RatesFormat;
  /** The reference day the file states (ECB), when it states one. */
  rateDate: string | null;
  rates: ExchangeRate[];
  /** Rows that could not be read or validated, with their physical line. */
  rejected: { line: number; reason: string }[];
  read: number;
}

const FX_COLUMNS = { currencycode: 'currency', usdperunit: 'usdPerUnit', month: 'month' } as const;

const compact = (header: string) =>
  header
    .replace(/^\uFEFF/, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();

/** True when the first line is a Partner Center FX header (any case, quoted or not, any column order). */
function isFxRatesHeader(firstLine: string): boolean {
  const names = new Set(firstLine.split(',').map(compact));
  return names.has('currencycode') && names.has('usdperunit');
}

export function detectRatesFormat(text: string): RatesFormat | null {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (isFxRatesHeader(start.split(/\r?\n/, 1)[0])) return 'partnercenter-fx-csv';
  if (start.startsWith('<') && /<(\w+:)?Cube\b/.test(text)) return 'ecb-xml';
  return null;
}

export function parseRatesFile(text: string): ParsedRates {
  const format = detectRatesFormat(text);
  if (format === 'partnercenter-fx-csv') return parseFxCsv(text);
  if (format === 'ecb-xml') return parseEcbXml(text);
  throw new FileFault(
    'not an exchange-rate file: expected a Partner Center FX CSV ("CurrencyCode","USDPerUnit","Month") ' +
      'or ECB euro reference rates (XML)',
  );
}

function parseFxCsv(text: string): ParsedRates {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true });
  } catch (error) {
    throw new FileFault(`unreadable FX CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (header === undefined) throw new FileFault('the FX file is empty: no header row');
  const fields = header.map((h) => FX_COLUMNS[compact(h) as keyof typeof FX_COLUMNS]);
  for (const required of Object.values(FX_COLUMNS)) {
    if (!fields.includes(required)) throw new FileFault(`the FX header lacks ${required}`);
  }
  const result: ParsedRates = {
    format: 'partnercenter-fx-csv',
    rateDate: null,
    rates: [],
    rejected: [],
    read: rows.length,
  };
  rows.forEach((values, i) => {
    const line = i + 2;
    if (values.length !== fields.length) {
      result.rejected.push({ line, reason: `has ${values.length} fields, the header has ${fields.length}` });
      return;
    }
    const record = Object.fromEntries(fields.flatMap((f, c) => (f ? [[f, values[c]]] : [])));
    accept(result, line, record);
  });
  return result;
}

function accept(result: ParsedRates, line: number, record: Record<string, string>): void {
  const verdict = exchangeRateSchema.safeParse(record);
  if (!verdict.success) {
    result.rejected.push({ line, reason: verdict.error.issues.map((i) => i.message).join('; ') });
    return;
  }
  if (result.rates.some((r) => r.currency === verdict.data.currency)) {
    result.rejected.push({ line, reason: `duplicate: a second rate for ${verdict.data.currency}` });
    return;
  }
  result.rates.push(verdict.data);
}

const TAG = /<(?:\w+:)?Cube\b([^>]*)>/g;
const ATTRIBUTE = /(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * A reader for the ECB's small, flat format (no XML library needed): the first `time` cube and the
 * currency cubes after it. The historical files list newer days first; only the newest is taken.
 */
function parseEcbXml(text: string): ParsedRates {
  let day: string | null = null;
  const eurRates: { currency: string; rate: string }[] = [];
  const rejected: ParsedRates['rejected'] = [];
  for (const tag of text.matchAll(TAG)) {
    const attributes = Object.fromEntries([...tag[1].matchAll(ATTRIBUTE)].map((a) => [a[1], a[2] ?? a[3]]));
    if (attributes.time !== undefined) {
      if (day !== null) break;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(attributes.time))
        throw new FileFault(`ECB rates: "${attributes.time}" is not a date`);
      day = attributes.time;
      continue;
    }
    if (day === null || attributes.currency === undefined) continue;
    const line = text.slice(0, tag.index).split('\n').length;
    const currency = attributes.currency.trim().toUpperCase();
    const rate = (attributes.rate ?? '').trim();
    if (!/^[A-Z]{3}$/.test(currency) || !/^\d+(\.\d+)?$/.test(rate) || Number(rate) === 0) {
      rejected.push({
        line,
        reason:
          `currency "${attributes.currency}" rate "${attributes.rate ?? ''}" ` +
          'is not a currency code and a positive rate',
      });
      continue;
    }
    eurRates.push({ currency, rate });
  }
  if (day === null) throw new FileFault('ECB rates: no <Cube time="…"> element');
  const rates = ratesFromEuroReference(eurRates, day);
  return { format: 'ecb-xml', rateDate: day, rates, rejected, read: eurRates.length + rejected.length };
}
