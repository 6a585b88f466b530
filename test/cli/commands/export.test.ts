import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { jsonSummary, runCli } from '../../helpers/cli';
import { testSettings } from '../../helpers/storage';
import { createStorageClients } from '../../../shared/storage/clients';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { ingestSheet } from '../../helpers/apiFixtures';
import { EXPORT_HEADER } from '../../../shared/quotes/priceListFile';

/** `npm run cli -- export`: the price-list export to a file, read back as a user's tools read it. */

const settings = testSettings();
const storage = createStorageClients(settings);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-export-'));
const ROWS = 25;

describe('cli export', () => {
  beforeAll(async () => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    const rows = Array.from({ length: ROWS }, (_, i) =>
      consumptionRow({ MeterIds: meterId(0xb000 + i), UnitPrice: `0.${100 + i}` }),
    );
    await ingestSheet(storage, settings, rows, { asOf: '2026-11-01' });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes CSV and xlsx files with every price and says how many', async () => {
    const csv = path.join(dir, 'us.csv');
    const run = await runCli(['export', '--market', 'us', '--date', '2026-11-01', '--out', csv, '--json']);
    expect(run.code).toBe(0);
    expect(jsonSummary(run.stdout)).toMatchObject({
      ok: true,
      rows: ROWS,
      format: 'csv',
      out: csv,
      provenance: { market: 'US', pecPercent: '15' },
    });
    const records: string[][] = parse(fs.readFileSync(csv), { comment: '#' });
    expect(records[0]).toEqual(EXPORT_HEADER);
    expect(records).toHaveLength(ROWS + 1);

    const xlsx = path.join(dir, 'us.xlsx');
    expect(
      (await runCli(['export', '--market', 'US', '--date', '2026-11-01', '--format', 'xlsx', '--out', xlsx])).code,
    ).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    expect(workbook.getWorksheet('Prices')!.rowCount).toBe(ROWS + 1);
  });

  it('refuses a bad option naming it (exit 2), and needs --out', async () => {
    const bad = await runCli(['export', '--market', 'US', '--format', 'pdf', '--out', path.join(dir, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format: /);
    const group = await runCli(['export', '--market', 'US', '--customer-group', '', '--out', path.join(dir, 'x')]);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/--customer-group: must not be empty/);
    expect((await runCli(['export', '--market', 'US'])).code).toBe(2);
  });
});
