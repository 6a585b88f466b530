import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as transactions from '../../../shared/storage/transactions';
import { BlobClient } from '@azure/storage-blob';
import { delayedUploads, testStorage } from '../../helpers/storage';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';
import { EUROPEAN_CURRENCIES, LICENSE_PREVIEW_HEADER, licenseCsv, licenseRow } from '../../helpers/licenseSheets';
import { latestSnapshot } from '../../../shared/prices/tables/snapshots';
import { sampleDataDir } from '../../../shared/config/paths';
import { reported, uploadHarness, zipOf } from '../../helpers/uploads';

const consumption = (n: number, overrides = {}) =>
  sheetCsv(
    Array.from({ length: n }, (_, i) =>
      consumptionRow({ MeterIds: meterId(70_000 + i), UnitPrice: `0.${100 + i}`, ...overrides }),
    ),
  );

function setup() {
  const { settings, storage } = testStorage();
  return { settings, storage, h: uploadHarness(storage, settings) };
}

describe('price uploads: each kind of file', () => {
  it('stores a plain consumption CSV, reading market and view from the rows, and moves it with a report', async () => {
    const { h, storage } = setup();
    await h.drop('drop/sheet.csv', consumption(20));
    const report = reported(await h.process('drop/sheet.csv'));
    expect(report).toMatchObject({
      status: 'processed',
      reason: null,
      kind: 'price-sheet',
      market: 'US',
      view: 'azure_consumption',
      timeline: 'current',
      from: { market: 'rows', view: 'header and rows', timeline: 'default', asOf: 'upload day' },
      counts: { read: 20, rejected: 0, added: 20 },
      file: `${h.areas.processed.containerName}/drop/sheet.csv`,
      move: 'moved',
    });
    expect(report.asOf).toBe(new Date().toISOString().slice(0, 10));
    expect(report.archive).toMatch(new RegExp(`^azure_consumption/US/${report.asOf}/${report.upload.sha256}\\.csv$`));
    expect(report.runId).toEqual(expect.any(String));
    expect(await h.list('uploads')).toEqual([]);
    expect(await h.list('processed')).toEqual(['drop/sheet.csv', 'drop/sheet.csv.report.json']);
    expect(await h.report('processed', 'drop/sheet.csv')).toMatchObject({ status: 'processed', counts: { added: 20 } });
    const snapshot = await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' });
    expect(snapshot).toMatchObject({ source: 'upload:drop/sheet.csv', rows: 20 });
  });

  it('stores a gzip reservations sheet named by the path convention', async () => {
    const { h } = setup();
    const csv = sheetCsv([
      consumptionRow({ TermDuration: 'P1Y', Tags: 'Reservation', MeterIds: meterId(80_001) }),
      consumptionRow({ TermDuration: 'P3Y', Tags: 'Reservation', MeterIds: meterId(80_002) }),
    ]);
    const name = 'azure_reservations/US/2026-11-02/reservations.csv.gz';
    await h.drop(name, zlib.gzipSync(csv));
    expect(reported(await h.process(name))).toMatchObject({
      status: 'processed',
      view: 'azure_reservations',
      asOf: '2026-11-02',
      from: { market: 'rows', view: 'header and rows', asOf: 'path' },
      counts: { added: 2 },
    });
  });

  it('stores a zipped license-based sheet of a European market: six currencies, six prices', async () => {
    const { h } = setup();
    const rows = EUROPEAN_CURRENCIES.flatMap((currency) => [
      licenseRow({ Market: 'DE', Currency: currency }),
      licenseRow({ Market: 'DE', Currency: currency, TermDuration: 'P1M', BillingPlan: 'Monthly', UnitPrice: '6' }),
    ]);
    await h.drop('updatedlicensebased/DE/2026-11-01/DE_prices.zip', await zipOf({ 'DE_prices.csv': licenseCsv(rows) }));
    expect(reported(await h.process('updatedlicensebased/DE/2026-11-01/DE_prices.zip'))).toMatchObject({
      status: 'processed',
      market: 'DE',
      view: 'updatedlicensebased',
      counts: { read: 12, rejected: 0, added: 12 },
    });
  });

  it('routes a Partner Center FX file (recognised by its header) to the exchange-rate pipeline', async () => {
    const { h } = setup();
    const fx = fs.readFileSync(path.join(sampleDataDir(), 'fxrates.csv'));
    await h.drop('rates/2026-11-03/fxrates.csv', fx);
    const report = reported(await h.process('rates/2026-11-03/fxrates.csv'));
    expect(report).toMatchObject({
      status: 'processed',
      kind: 'exchange-rates',
      asOf: '2026-11-03',
      market: null,
      view: null,
    });
    expect(report.counts?.added).toBeGreaterThan(0);
    expect(report.archive).toMatch(/^fxrates\/2026-11-03\//);
  });
});

describe('price uploads: removal guard', () => {
  it('quarantines a sheet that would remove most prices, and stores it when the metadata confirms it', async () => {
    const { h } = setup();
    await h.drop('azure_consumption/US/2026-11-01/full.csv', consumption(20));
    expect(reported(await h.process('azure_consumption/US/2026-11-01/full.csv')).status).toBe('processed');

    await h.drop('azure_consumption/US/2026-11-02/tiny.csv', consumption(2));
    const refused = reported(await h.process('azure_consumption/US/2026-11-02/tiny.csv'));
    expect(refused.status).toBe('quarantined');
    expect(refused.reason).toMatch(/would remove 18 of the 20 prices listed before it .*allowmassremoval=true/);

    await h.drop('azure_consumption/US/2026-11-02/confirmed.csv', consumption(2), { AllowMassRemoval: 'true' });
    const confirmed = reported(await h.process('azure_consumption/US/2026-11-02/confirmed.csv'));
    expect(confirmed).toMatchObject({ status: 'processed', counts: { removed: 18 } });
  });
});

describe('price uploads: refused files go to quarantine with the reason', () => {
  async function quarantined(name: string, content: string | Buffer, metadata: Record<string, string> = {}) {
    const { h } = setup();
    await h.drop(name, content, metadata);
    const report = reported(await h.process(name));
    expect(report.status).toBe('quarantined');
    expect(report.move).toBe('moved');
    expect(await h.list('uploads')).toEqual([]);
    expect(await h.list('quarantine')).toEqual([name, `${name}.report.json`].sort());
    expect(await h.report('quarantine', name)).toEqual(
      expect.objectContaining({ status: 'quarantined', reason: report.reason }),
    );
    return report;
  }

  it('a zip with several CSV entries', async () => {
    const zip = await zipOf({ 'a.csv': consumption(2), 'b.csv': consumption(2) });
    expect((await quarantined('several.zip', zip)).reason).toMatch(
      /exactly one CSV file but holds 2 CSV files \(entries: a\.csv, b\.csv\)/,
    );
  });

  it('a zip with no CSV entry', async () => {
    const zip = await zipOf({ 'readme.txt': 'hello' });
    expect((await quarantined('none.zip', zip)).reason).toMatch(
      /exactly one CSV file but holds no CSV file \(entries: readme\.txt\)/,
    );
  });

  it('a truncated zip', async () => {
    const zip = await zipOf({ 'prices.csv': consumption(50) });
    expect((await quarantined('cut.zip', zip.subarray(0, Math.floor(zip.length / 2)))).reason).toMatch(
      /not a readable zip archive/,
    );
  });

  it('a file whose header is not a price sheet', async () => {
    const report = await quarantined('wrong.csv', '"Name","Price"\r\n"x","1"\r\n');
    expect(report.reason).toMatch(/not a price sheet: the header lacks productId, skuId/);
    expect(report.kind).toBeNull();
  });

  it('a file that mixes markets', async () => {
    const csv = sheetCsv([
      consumptionRow({ MeterIds: meterId(81_001) }),
      consumptionRow({ Market: 'DE', MeterIds: meterId(81_002) }),
    ]);
    expect((await quarantined('mixed.csv', csv)).reason).toBe('the file mixes markets DE, US; one market per file');
  });

  it('metadata that contradicts the rows', async () => {
    expect((await quarantined('labelled.csv', consumption(3), { market: 'DE' })).reason).toBe(
      'the metadata says market DE but the rows say US',
    );
  });

  it('a sheet whose view cannot be told and is not named', async () => {
    const report = await quarantined('untagged.csv', consumption(3, { Tags: 'Azure' }));
    expect(report.reason).toMatch(/cannot tell the price sheet view from the file .* name it in the path or metadata/);
  });

  it('a future marker on an Azure plan sheet (Partner Center publishes no preview of those)', async () => {
    expect((await quarantined('future/consumption.csv', consumption(3))).reason).toBe(
      'a future price list exists only for updatedlicensebased, not azure_consumption',
    );
  });

  it('too many rejected rows: the report lists them with their line numbers and nothing is published', async () => {
    const rows = [
      consumptionRow({ MeterIds: meterId(82_000) }),
      consumptionRow({ MeterIds: meterId(82_001), UnitPrice: 'abc' }),
      consumptionRow({ MeterIds: meterId(82_002), EffectiveStartDate: 'soon' }),
    ];
    const report = await quarantined('azure_consumption/bad.csv', sheetCsv(rows));
    expect(report).toMatchObject({
      kind: 'price-sheet',
      market: 'US',
      view: 'azure_consumption',
      counts: { read: 3, rejected: 2, entitiesWritten: 0 },
      rejectedRows: [
        { line: 3, reason: 'UnitPrice is not a decimal number' },
        { line: 4, reason: 'EffectiveStartDate "soon" is not a date' },
      ],
    });
    expect(report.reason).toMatch(/2 of 3 rows rejected .*nothing was published/);
    expect(report.runId).toEqual(expect.any(String));
    expect(report.archive).toMatch(/^azure_consumption\/US\//);
    expect(report.rejectedRowsReport).toMatch(/\.rejected\.csv$/);
  });

  it('an FX file with labels that do not apply to it', async () => {
    const fx = '"CurrencyCode","USDPerUnit","Month"\r\n"EUR","1.08","202611"\r\n';
    expect((await quarantined('updatedlicensebased/fx.csv', fx)).reason).toBe(
      'an exchange-rate file takes no view (given by the path)',
    );
  });
});

describe('price uploads: duplicates, future marker, idempotence', () => {
  it('recognises the same file dropped twice and stores nothing the second time', async () => {
    const { h } = setup();
    const csv = consumption(10);
    await h.drop('US/2026-11-05/first.csv', csv);
    const first = reported(await h.process('US/2026-11-05/first.csv'));
    await h.drop('US/2026-11-06/again.csv', csv);
    const second = reported(await h.process('US/2026-11-06/again.csv'));
    expect(second).toMatchObject({
      status: 'duplicate',
      counts: null,
      runId: null,
      duplicateOf: {
        source: 'upload:US/2026-11-05/first.csv',
        runId: first.runId,
        asOf: '2026-11-05',
        archive: first.archive,
      },
      file: `${h.areas.processed.containerName}/US/2026-11-06/again.csv`,
    });
    expect(second.reason).toMatch(/^duplicate of upload:US\/2026-11-05\/first\.csv/);
    expect(second.upload.sha256).toBe(first.upload.sha256);
  });

  it('keeps a future (preview) upload apart from the current list', async () => {
    const { h, storage } = setup();
    const current = licenseCsv([
      licenseRow(),
      licenseRow({ TermDuration: 'P1M', BillingPlan: 'Monthly', UnitPrice: '6' }),
    ]);
    const future = licenseCsv(
      [licenseRow({ UnitPrice: '66', EffectiveStartDate: '12/1/2026 0:00', EndofSaleDate: '' })],
      LICENSE_PREVIEW_HEADER,
    );
    await h.drop('updatedlicensebased/2026-11-10/current.csv', current);
    await h.drop('prices/preview.csv', future, { timeline: 'future', asof: '2026-11-10' });
    expect(reported(await h.process('updatedlicensebased/2026-11-10/current.csv'))).toMatchObject({
      status: 'processed',
      timeline: 'current',
    });
    expect(reported(await h.process('prices/preview.csv'))).toMatchObject({
      status: 'processed',
      timeline: 'future',
      from: { timeline: 'metadata', asOf: 'metadata' },
      counts: { added: 1 },
    });
    const list = { market: 'US', view: 'updatedlicensebased' as const };
    expect(await latestSnapshot(storage, { ...list, timeline: 'current' })).toMatchObject({
      rows: 2,
      source: 'upload:updatedlicensebased/2026-11-10/current.csv',
    });
    expect(await latestSnapshot(storage, { ...list, timeline: 'future' })).toMatchObject({
      rows: 1,
      source: 'upload:prices/preview.csv',
    });
  });

  it('notes metadata that overrides the path', async () => {
    const { h } = setup();
    await h.drop('2026-11-01/sheet.csv', consumption(2), { asof: '2026-11-02' });
    const report = reported(await h.process('2026-11-01/sheet.csv'));
    expect(report).toMatchObject({
      asOf: '2026-11-02',
      notes: ['metadata asOf 2026-11-02 overrides 2026-11-01 from the path'],
    });
  });

  it('converges after a crash between copy and delete, without ingesting again', async () => {
    const { h } = setup();
    await h.drop('crash.csv', consumption(5));
    const deletion = jest.spyOn(BlobClient.prototype, 'delete').mockRejectedValueOnce(new Error('process killed'));
    await expect(h.process('crash.csv')).rejects.toThrow('process killed');
    deletion.mockRestore();
    expect(await h.list('uploads')).toEqual(['crash.csv']);
    const first = await h.report('processed', 'crash.csv');

    const again = reported(await h.process('crash.csv'));
    expect(again).toMatchObject({ status: 'processed', runId: first.runId, counts: first.counts, move: 'moved' });
    expect(await h.list('uploads')).toEqual([]);
    expect(await h.list('processed')).toEqual(['crash.csv', 'crash.csv.report.json']);
    expect(await h.process('crash.csv')).toEqual({ status: 'gone', upload: { name: 'crash.csv' } });
  });

  it('leaves the upload in place to be retried when the run fails for a reason that is not the file', async () => {
    const { h } = setup();
    await h.drop('outage.csv', consumption(3));
    const write = jest
      .spyOn(transactions, 'submitUpserts')
      .mockRejectedValue(Object.assign(new Error('service unavailable'), { statusCode: 503 }));
    try {
      await expect(h.process('outage.csv')).rejects.toThrow(/failed, to be retried: service unavailable/);
    } finally {
      write.mockRestore();
    }
    expect(await h.list('uploads')).toEqual(['outage.csv']);
    expect(await h.list('quarantine')).toEqual([]);
    expect(await h.list('processed')).toEqual([]);

    expect(reported(await h.process('outage.csv'))).toMatchObject({ status: 'processed', counts: { added: 3 } });
  });

  it('leaves a refused file in place to be retried when its archive could not be stored, and quarantines it then', async () => {
    const { storage, settings } = testStorage();
    const rows = [
      consumptionRow({ MeterIds: meterId(83_000) }),
      consumptionRow({ MeterIds: meterId(83_001), UnitPrice: 'abc' }),
    ];
    const failing = uploadHarness(
      delayedUploads(storage, storage.names.containers.archive, { afterMs: 100, fail: true }),
      settings,
    );
    await failing.drop('azure_consumption/refused.csv', sheetCsv(rows));
    await expect(failing.process('azure_consumption/refused.csv')).rejects.toThrow(
      /failed, to be retried: service unavailable/,
    );
    expect(await failing.list('uploads')).toEqual(['azure_consumption/refused.csv']);
    expect(await failing.list('quarantine')).toEqual([]);

    const h = uploadHarness(storage, settings);
    const report = reported(await h.process('azure_consumption/refused.csv'));
    expect(report).toMatchObject({ status: 'quarantined', counts: { read: 2, rejected: 1 } });
    expect(report.reason).toMatch(/1 of 2 rows rejected/);
    expect(report.archive).toMatch(/^azure_consumption\/US\//);
    expect(await h.list('quarantine')).toEqual([
      'azure_consumption/refused.csv',
      'azure_consumption/refused.csv.report.json',
    ]);
  });

  it('never overwrites an earlier upload of the same name with other content', async () => {
    const { h } = setup();
    await h.drop('monthly.csv', consumption(2));
    await h.process('monthly.csv');
    await h.drop('monthly.csv', consumption(3));
    const second = reported(await h.process('monthly.csv'));
    expect(second.file).toBe(
      `${h.areas.processed.containerName}/monthly.csv~${second.upload.etag.replace(/[^A-Za-z0-9]/g, '')}`,
    );
    expect((await h.report('processed', 'monthly.csv')).counts?.read).toBe(2);
    expect((await h.list('processed')).length).toBe(4);
  });
});

describe('price uploads: the day of a rates file', () => {
  const ECB = `<?xml version="1.0"?><Envelope><Cube><Cube time="2026-10-30"><Cube currency="USD" rate="1.0921"/>
<Cube currency="JPY" rate="162.53"/></Cube></Cube></Envelope>`;

  it('stores an ECB file under its <Cube time> day, and quarantines one whose label names another day', async () => {
    const { h } = setup();
    await h.drop('rates/2026-11-03/eurofxref.xml', ECB);
    const refused = reported(await h.process('rates/2026-11-03/eurofxref.xml'));
    expect(refused).toMatchObject({ status: 'quarantined' });
    expect(refused.reason).toMatch(
      /the file holds the rates of 2026-10-30 \(its <Cube time>\), not of the path's day folder 2026-11-03/,
    );

    await h.drop('rates/eurofxref.xml', ECB);
    expect(reported(await h.process('rates/eurofxref.xml'))).toMatchObject({ status: 'processed', asOf: '2026-10-30' });
  });

  it('quarantines an FX file whose asof metadata is outside its Month', async () => {
    const { h } = setup();
    const fx = fs.readFileSync(path.join(sampleDataDir(), 'fxrates.csv'));
    await h.drop('fx.csv', fx, { asof: '2026-12-01' });
    const refused = reported(await h.process('fx.csv'));
    expect(refused.reason).toMatch(
      /the file holds the rates of month 202611 \(its Month column\); the metadata asof 2026-12-01 is outside it/,
    );
  });
});
