import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { handlePriceExport, type FileResponse } from '../../../../shared/quotes/endpoints/export';
import { EXPORT_HEADER } from '../../../../shared/quotes/priceListFile';
import { putRule } from '../../../../shared/quotes/ruleStore';
import { ruleBodySchema, ruleOf } from '../../../../shared/quotes/rule';
import type { ApiResponse } from '../../../../shared/api/endpoint';
import { testStorage } from '../../../helpers/storage';
import { consumptionRow, meterId } from '../../../helpers/priceSheets';
import { fxCsv, ingestFx, ingestSheet, json, logger, q } from '../../../helpers/apiFixtures';

const { storage, settings } = testStorage();
const DATE = '2026-11-02';
const HOSTILE = meterId(0xa001);

beforeAll(async () => {
  await ingestSheet(
    storage,
    settings,
    [
      consumptionRow({
        ProductId: 'DZH318Z0BQ4L',
        SkuId: '0001',
        UnitPrice: '0.096000',
        PricingTierRangeMin: '',
        Tags: 'Consumption',
      }),
      consumptionRow({
        ProductId: 'DZH318Z0BNVX',
        SkuId: '0001',
        MeterIds: HOSTILE,
        ProductTitle: '=HYPERLINK("http://example.invalid","click")',
        SkuDescription: '+cmd|/C calc!A0',
        UnitPrice: '0.000140',
        PricingTierRangeMin: '1',
        PricingTierRangeMax: '100',
        Tags: 'Azure',
      }),
      consumptionRow({
        ProductId: 'DZH318Z0C3PL',
        SkuId: '0002',
        UnitPrice: '2.50',
        PricingTierRangeMin: '',
        Tags: 'ThirdParty',
      }),
    ],
    { asOf: '2026-11-01' },
  );
  await ingestFx(storage, settings, fxCsv({ EUR: '1.25' }, '202611'), '2026-11-01');
  await putRule(
    storage,
    ruleOf(
      'contoso',
      ruleBodySchema.parse({
        scope: { customer: 'contoso' },
        adjustment: { type: 'markupPercent', percent: '20' },
        validFrom: '2026-01-01',
      }),
    ),
  );
});

const exportOf = (params: Record<string, string>) => handlePriceExport(q(params), storage, settings, logger());
const isFile = (response: FileResponse | ApiResponse): response is FileResponse => typeof response.body !== 'string';

async function file(params: Record<string, string>): Promise<FileResponse> {
  const response = await exportOf(params);
  if (!isFile(response)) throw new Error(`expected a file, got ${response.status} ${response.body}`);
  return response;
}

const column = (label: string) => EXPORT_HEADER.indexOf(label);

describe('GET /api/prices/export?format=csv', () => {
  it('writes provenance, a readable header and every price with converted, partner and customer prices', async () => {
    const response = await file({ market: 'US', date: DATE, currency: 'EUR', customer: 'contoso' });
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.etag).toBeUndefined();
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="prices-US-azure_consumption-2026-11-02-EUR.csv"',
    );
    const content = await text(response.body);
    const comments = content.split('\n').filter((line) => line.startsWith('#'));
    expect(comments).toEqual([
      '# Price list: market US, view azure_consumption',
      '# Prices in force at (UTC): 2026-11-02T00:00:00.0000000Z',
      '# Price snapshot: as of 2026-11-01, source test',
      '# Conversion: to EUR with the exchange rates of 2026-11-01 (source test), via USD, ROUND_HALF_EVEN to 10 decimals',
      '# Partner-earned credit: 15 % on eligible Azure plan consumption (PEC_PERCENT)',
      '# Customer prices: 1 price rules; customer contoso, customer group (none)',
    ]);
    const [header, ...rows]: string[][] = parse(content, { comment: '#' });
    expect(header).toEqual(EXPORT_HEADER);
    expect(header.slice(0, 3)).toEqual(['Product', 'Product ID', 'SKU ID']);
    expect(rows).toHaveLength(3);
    const byProduct = new Map(rows.map((row) => [row[column('Product ID')], row]));

    const vm = byProduct.get('DZH318Z0BQ4L')!;
    expect(vm[column('Unit price')]).toBe('0.096000');
    expect(vm[column('Price currency')]).toBe('EUR');
    // 0.096 USD ÷ 1.25 USD/EUR = 0.0768 EUR; less 15 % PEC = 0.06528; +20 % = 0.078336 (6 places, the converted price's).
    expect(vm[column('Converted unit price')]).toBe('0.0768');
    expect(vm[column('PEC %')]).toBe('15');
    expect(vm[column('Partner unit cost')]).toBe('0.06528');
    expect(vm[column('Customer unit price')]).toBe('0.078336');
    expect(vm[column('Price rule')]).toBe('contoso');

    const thirdParty = byProduct.get('DZH318Z0C3PL')!;
    expect(thirdParty[column('PEC %')]).toBe('');
    expect(thirdParty[column('Partner unit cost')]).toBe('2');
    expect(thirdParty[column('Customer unit price')]).toBe('2.4');
  });

  it('neutralises formulas in text cells', async () => {
    const content = await text((await file({ market: 'US', date: DATE })).body);
    const [, ...rows]: string[][] = parse(content, { comment: '#' });
    const hostile = rows.find((row) => row[column('Meter ID')] === HOSTILE)!;
    expect(hostile[column('Product')]).toBe('\'=HYPERLINK("http://example.invalid","click")');
    expect(hostile[column('SKU description')]).toBe("'+cmd|/C calc!A0");
    expect(hostile[column('Tier from')]).toBe('1');
    // Without a customer no rule applies: the customer price is the published one.
    expect(hostile[column('Customer unit price')]).toBe('0.000140');
    expect(hostile[column('Price rule')]).toBe('');
  });

  it('answers 400 naming a bad parameter, 404 for a market never loaded and 422 for a currency without a rate, before any byte', async () => {
    const bad = await exportOf({ market: 'US', format: 'pdf' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/problem+json');
    expect(json(bad as ApiResponse).parameter).toBe('format');
    const unknown = await exportOf({ market: 'FR', date: DATE });
    expect(unknown.status).toBe(404);
    expect(json(unknown as ApiResponse)).toMatchObject({ code: 'MarketNotFound', parameter: 'market' });
    const noRate = await exportOf({ market: 'US', date: DATE, currency: 'JPY' });
    expect(noRate.status).toBe(422);
    expect(json(noRate as ApiResponse)).toMatchObject({
      code: 'RateNotFound',
      parameter: 'currency',
    });
  });
});

describe('GET /api/prices/export?format=xlsx', () => {
  it('reads back in exceljs: an About sheet, then the prices with numbers as numbers and formulas neutralised', async () => {
    const response = await file({ market: 'US', date: DATE, customer: 'contoso', format: 'xlsx' });
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.read(Readable.from(response.body));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['About', 'Prices']);
    const about = workbook.getWorksheet('About')!;
    expect(about.getRow(1).values).toEqual([undefined, 'Price list', 'market US, view azure_consumption']);
    expect(about.getRow(4).values).toEqual([undefined, 'Conversion', 'none (published currencies)']);

    const prices = workbook.getWorksheet('Prices')!;
    expect(prices.rowCount).toBe(4);
    const header = (prices.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(EXPORT_HEADER);
    const rows = [2, 3, 4].map((n) => (prices.getRow(n).values as unknown[]).slice(1));
    const hostile = rows.find((row) => row[column('Meter ID')] === HOSTILE)!;
    expect(hostile[column('Product')]).toBe('\'=HYPERLINK("http://example.invalid","click")');
    expect(prices.getRow(rows.indexOf(hostile) + 2).getCell(column('Product') + 1).type).toBe(ExcelJS.ValueType.String);
    expect(hostile[column('Unit price')]).toBe(0.00014);
    expect(hostile[column('Tier to')]).toBe(100);
    // 0.000140 less 15 % = 0.000119, +20 % = 0.0001428, rounded to the published 6 places.
    expect(hostile[column('Customer unit price')]).toBe(0.000143);
    expect(hostile[column('Price rule')]).toBe('contoso');
  });
});
