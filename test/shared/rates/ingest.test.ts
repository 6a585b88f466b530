import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Decimal from 'decimal.js';
import { handleExchangeRates } from '../../../shared/rates/endpoint';
import { parseRatesFile } from '../../../shared/formats/ratesFile';
import { convertAmount } from '../../../shared/rates/rate';
import { ingestRates, refreshRates } from '../../../shared/rates/ingest';
import { ratesFileFormat } from '../../../shared/formats/ratesFileFormat';
import { createFxRatesSource } from '../../../shared/rates/sources/factory';
import { recentRuns } from '../../../shared/runs/ledger';
import { refreshCommand } from '../../../cli/commands/refresh';
import { ingestCommand } from '../../../cli/commands/ingest';
import { UsageError } from '../../../cli/options';
import { todayUtc } from '../../../shared/core/dates';
import type { CommandIO } from '../../../cli/io';
import { startPartnerCenterFake } from '../../fakes/partnerCenterFake';
import { startFakeServer } from '../../fakes/fakeServer';
import { fastSettings } from '../../helpers/sources';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, sheetCsv } from '../../helpers/priceSheets';
import { zipOf } from '../../helpers/files';
import { fxCsv, ingestFx, json, logger, q } from '../../helpers/apiFixtures';

const ECB_XML = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
    <Cube time='2026-10-30'>
      <Cube currency='USD' rate='1.0921'/>
      <Cube currency='JPY' rate='162.53'/>
      <Cube currency='GBP' rate='0.85543'/>
      <Cube currency='CHF' rate='0.9373'/>
    </Cube>
  </Cube>
</gesmes:Envelope>
`;

const tmpFile = (name: string, content: string | Buffer) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rates-test-')), name);
  fs.writeFileSync(file, content);
  return file;
};

describe('exchange-rate files', () => {
  it('reads a Partner Center FX CSV as published, header in any case and order', () => {
    const parsed = parseRatesFile(
      '"month","USDPerUnit","currencycode"\r\n"201909","0.27224589249009701","AED"\r\n"201909","x","EUR"\r\n',
    );
    expect(parsed.rates).toEqual([{ currency: 'AED', usdPerUnit: '0.27224589249009701', month: '201909' }]);
    expect(parsed.rejected).toEqual([{ line: 3, reason: 'USDPerUnit is not a decimal number' }]);
  });

  it('converts ECB euro reference rates to USD per unit (17 significant digits, half even)', () => {
    const parsed = parseRatesFile(ECB_XML);
    expect(parsed.rateDate).toBe('2026-10-30');
    const byCode = Object.fromEntries(parsed.rates.map((rate) => [rate.currency, rate]));
    expect(byCode.EUR).toMatchObject({ usdPerUnit: '1.0921', month: '202610', eurRate: '1' });
    expect(byCode.USD.usdPerUnit).toBe('1');
    expect(byCode.JPY.usdPerUnit).toBe(
      new Decimal('1.0921').div('162.53').toSignificantDigits(17, Decimal.ROUND_HALF_EVEN).toFixed(),
    );
    expect(byCode.JPY.usdPerUnit).toBe('0.0067193748846366825');
    expect(byCode.GBP).toMatchObject({ eurRate: '0.85543' });
  });

  it('recognises an FX file by its header, plain or zipped, and not a price sheet', async () => {
    expect(await ratesFileFormat(tmpFile('a.csv', fxCsv({ EUR: '1.1' })))).toBe('partnercenter-fx-csv');
    expect(await ratesFileFormat(tmpFile('a.zip', await zipOf({ 'fx.csv': fxCsv({ EUR: '1.1' }) })))).toBe(
      'partnercenter-fx-csv',
    );
    expect(await ratesFileFormat(tmpFile('b.xml', ECB_XML))).toBe('ecb-xml');
    expect(await ratesFileFormat(tmpFile('c.csv', sheetCsv([consumptionRow()])))).toBeNull();
  });

  it('converts through USD with decimal arithmetic', () => {
    expect(convertAmount('0.1', '1', '3')).toBe('0.0333333333');
    expect(convertAmount('100', '1.10', '1.25')).toBe('88');
    expect(convertAmount('0.00000015', '1', '2')).toBe('0.000000075'); // ties to even at the 10th place stay exact here
    expect(convertAmount('0.00000000025', '1', '1')).toBe('0.0000000002'); // half to even
  });
});

describe('exchange-rate pipeline and GET /api/exchange-rates', () => {
  const { settings, storage } = testStorage();
  const rates = (params: Record<string, string>) => handleExchangeRates(q(params), storage, logger());

  beforeAll(async () => {
    await ingestFx(storage, settings, fxCsv({ EUR: '1.0867000000000000', GBP: '1.26543210987654321' }), '2026-10-01');
    await ingestFx(
      storage,
      settings,
      await zipOf({ 'fx.csv': fxCsv({ EUR: '1.0901', GBP: '1.26543210987654321', CHF: '1.12' }, '202610') }),
      '2026-10-15',
    );
  });

  it('archives every fetch raw, records it in the ledger and counts what changed', async () => {
    const runs = await recentRuns(storage, 5);
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', market: 'ALL', view: 'fxrates', asOf: '2026-10-15' });
    expect(runs[0].counts).toMatchObject({ read: 3, added: 1, changed: 1, unchanged: 1, removed: 0 });
    expect(runs[0].archive).toMatch(/^fxrates\/2026-10-15\/[0-9a-f]{64}\.zip$/);
    const archived = storage.blobs
      .getContainerClient(storage.names.containers.archive)
      .getBlobClient(runs[0].archive as string);
    expect(await archived.exists()).toBe(true);
  });

  it('answers the rates in force on a date, exactly as published', async () => {
    const response = await rates({ date: '2026-10-14' });
    expect(response.status).toBe(200);
    expect(response.body).toContain(
      '{"currency":"EUR","usdPerUnit":1.0867000000000000,"month":"202610","source":"test","asOf":"2026-10-01"}',
    );
    expect(json(response)).toMatchObject({ date: '2026-10-14', base: 'USD' });
    expect(json(await rates({ date: '2026-10-15T00:00:00Z', currency: 'chf' })).rates).toEqual([
      { currency: 'CHF', usdPerUnit: 1.12, month: '202610', source: 'test', asOf: '2026-10-15' },
    ]);
    expect(json(await rates({ date: '2026-12-31' })).rates.map((rate: { currency: string }) => rate.currency)).toEqual([
      'CHF',
      'EUR',
      'GBP',
    ]);
  });

  it('keeps every fetch of a day and answers the latest', async () => {
    const { settings: refetchSettings, storage: refetchStorage } = testStorage();
    await ingestFx(refetchStorage, refetchSettings, fxCsv({ EUR: '1.01' }), '2026-10-20');
    await ingestFx(refetchStorage, refetchSettings, fxCsv({ EUR: '1.02' }), '2026-10-20');
    expect(
      json(await handleExchangeRates(q({ date: '2026-10-20' }), refetchStorage, logger())).rates[0].usdPerUnit,
    ).toBe(1.02);
  });

  it('answers 404 RateNotFound for a currency without a rate and before the first fetch', async () => {
    const missing = await rates({ date: '2026-10-14', currency: 'CHF' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(json(missing)).toMatchObject({
      type: '/problems/rate-not-found',
      title: 'No exchange rate in force',
      status: 404,
      code: 'RateNotFound',
      parameter: 'currency',
      currency: 'CHF',
    });
    const early = await rates({ date: '2026-09-30' });
    expect(early.status).toBe(404);
    expect(json(early).parameter).toBe('date');
    const { storage: empty } = testStorage();
    expect((await handleExchangeRates(q({}), empty, logger())).status).toBe(404);
  });

  it.each([
    [{ date: 'today' }, 'date'],
    [{ date: "' or PartitionKey ne '" }, 'date'],
    [{ currency: "' or PartitionKey ne '" }, 'currency'],
    [{ currency: 'EU' }, 'currency'],
    [{ base: 'EUR' }, 'base'],
  ])('400 for %j', async (params, parameter) => {
    const response = await rates(params);
    expect(response.status).toBe(400);
    expect(json(response).parameter).toBe(parameter);
  });

  it('fails a run without storing anything when too many rows are bad', async () => {
    const { settings: failedSettings, storage: failedStorage } = testStorage();
    const run = await ingestRates({
      storage: failedStorage,
      settings: failedSettings,
      logger: logger(),
      open: async () => ({
        body: require('node:stream').Readable.from([Buffer.from(fxCsv({ EUR: 'abc', GBP: '1.2' }))]),
        origin: 'test',
      }),
      kind: 'ingest',
      source: 'test',
      asOf: '2026-10-01',
    });
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatch(/1 of 2 rates rejected/);
    expect(run.archive).not.toBeNull();
    expect((await handleExchangeRates(q({}), failedStorage, logger())).status).toBe(404);
  });
});

describe('the day of a rates file', () => {
  const setup = () => {
    const { settings, storage } = testStorage();
    const lines: string[] = [];
    const io: CommandIO = {
      json: true,
      log: (line) => lines.push(line),
      progress: () => ({ update: () => {}, stop: () => {} }),
      summary: (_line, data) => lines.push(JSON.stringify(data)),
    };
    return { storage, lines, env: { io, openStorage: async () => ({ settings, storage }) } };
  };

  it('an ECB file is stored under its <Cube time> day; an --as-of for another day is refused (exit 2)', async () => {
    const { storage, lines, env } = setup();
    const file = tmpFile('eurofxref-daily.xml', ECB_XML);
    const refused = await ingestCommand.run({ values: { 'as-of': '2026-11-02' }, positionals: [file] }, env);
    expect(refused).toBe(2);
    expect(JSON.parse(lines.at(-1) as string).runs[0].error).toMatch(
      /the file holds the rates of 2026-10-30 \(its <Cube time>\), not of --as-of 2026-11-02/,
    );
    expect((await handleExchangeRates(q({ date: '2026-11-02' }), storage, logger())).status).toBe(404);

    expect(await ingestCommand.run({ values: {}, positionals: [file] }, env)).toBe(0);
    expect(JSON.parse(lines.at(-1) as string).runs[0]).toMatchObject({ asOf: '2026-10-30', outcome: 'succeeded' });
    const eur = json(await handleExchangeRates(q({ date: '2026-10-30', currency: 'EUR' }), storage, logger()));
    expect(eur.rates[0]).toMatchObject({ usdPerUnit: 1.0921, asOf: '2026-10-30' });
    expect((await handleExchangeRates(q({ date: '2026-10-29' }), storage, logger())).status).toBe(404);
  });

  it('an FX file keeps the as-of day it is given within its Month, and refuses one outside', async () => {
    const { storage, lines, env } = setup();
    const file = tmpFile('fxrates.csv', fxCsv({ EUR: '1.08670000000000000' }, '202611'));
    expect(await ingestCommand.run({ values: { 'as-of': '2026-12-01' }, positionals: [file] }, env)).toBe(2);
    expect(JSON.parse(lines.at(-1) as string).runs[0].error).toMatch(
      /the file holds the rates of month 202611 \(its Month column\); --as-of 2026-12-01 is outside it/,
    );
    expect(await ingestCommand.run({ values: { 'as-of': '2026-11-17' }, positionals: [file] }, env)).toBe(0);
    expect(json(await handleExchangeRates(q({ date: '2026-11-17' }), storage, logger())).rates[0]).toMatchObject({
      asOf: '2026-11-17',
      month: '202611',
    });
  });

  it('a source without history refuses a past --as-of, naming the sources that can backfill', async () => {
    const { env } = setup();
    const error = await refreshCommand
      .run({ values: { source: 'ecb', 'as-of': '2026-11-02' }, positionals: ['rates'] }, env)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(String(error)).toContain(
      `--as-of 2026-11-02: the ecb source serves only today's rates (${todayUtc()}); ` +
        'sources that can backfill: partnercenter, sample or file:<path>',
    );
  });
});

describe('exchange-rate sources', () => {
  it('partnercenter: fxrates of the as-of month with the App+User token, zipped', async () => {
    const fake = await startPartnerCenterFake();
    try {
      fake.setFile("/v1.0/sales/fxrates(Month='202611')/$value", fxCsv({ AED: '0.27224589249009701' }, '202611'));
      const settings = fastSettings(fake.settings);
      const { storage } = testStorage();
      const run = await refreshRates({
        storage,
        settings,
        logger: logger(),
        source: createFxRatesSource(settings, 'partnercenter'),
        asOf: '2026-11-03',
      });
      expect(run).toMatchObject({ outcome: 'succeeded', source: 'partnercenter' });
      expect(run.archive).toMatch(/\.zip$/);
      const download = fake.requests.find((request) => request.path.includes('fxrates'));
      expect(download?.headers['accept-encoding']).toMatch(/deflate/);
      expect(download?.headers.authorization).toBe('Bearer fake-access-token-1');
      const body = (await handleExchangeRates(q({ date: '2026-11-03' }), storage, logger())).body;
      expect(body).toContain('"usdPerUnit":0.27224589249009701');

      const missing = await refreshRates({
        storage,
        settings,
        logger: logger(),
        source: createFxRatesSource(settings, 'partnercenter'),
        asOf: '2026-12-01',
      });
      expect(missing.outcome).toBe('failed');
      expect(missing.error).toMatch(/404/);
    } finally {
      await fake.close();
    }
  });

  it('ecb: the public daily XML, retried through the shared HTTP layer', async () => {
    const server = await startFakeServer(() => ({
      status: 200,
      headers: { 'Content-Type': 'text/xml' },
      body: ECB_XML,
    }));
    try {
      server.inject({ kind: 'status', status: 503 });
      const settings = fastSettings({ ECB_RATES_URL: `${server.url}/eurofxref-daily.xml` });
      const { storage } = testStorage();
      const run = await refreshRates({
        storage,
        settings,
        logger: logger(),
        source: createFxRatesSource(settings, 'ecb'),
        asOf: '2026-11-01',
      });
      expect(run).toMatchObject({ outcome: 'succeeded', source: 'ecb' });
      expect(run.archive).toMatch(/\.xml$/);
      expect(server.requests).toHaveLength(2);
      const usd = json(await handleExchangeRates(q({ currency: 'EUR', date: '2026-11-01' }), storage, logger()))
        .rates[0];
      expect(usd).toMatchObject({ usdPerUnit: 1.0921, month: '202610', source: 'ecb', asOf: '2026-11-01' });
    } finally {
      await server.close();
    }
  });

  it('sample and file:, and `refresh rates` / unknown sources in the CLI', async () => {
    const { settings, storage } = testStorage();
    const lines: string[] = [];
    const io: CommandIO = {
      json: true,
      log: (line) => lines.push(line),
      progress: () => ({ update: () => {}, stop: () => {} }),
      summary: (_line, data) => lines.push(JSON.stringify(data)),
    };
    const env = { io, openStorage: async () => ({ settings, storage }) };
    expect(await refreshCommand.run({ values: { 'as-of': '2026-11-02' }, positionals: ['rates'] }, env)).toBe(0);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
      ok: true,
      runs: [{ source: 'sample', view: 'fxrates', asOf: '2026-11-02' }],
    });
    // The made-up sample is whatever day it is given, past its Month too (a local timer keeps working).
    expect(await refreshCommand.run({ values: { 'as-of': '2026-12-05' }, positionals: ['rates'] }, env)).toBe(0);
    expect(JSON.parse(lines.at(-1) as string).runs[0]).toMatchObject({ source: 'sample', asOf: '2026-12-05' });
    const file = tmpFile('ecb.xml', ECB_XML);
    expect(await refreshCommand.run({ values: { source: `file:${file}` }, positionals: ['rates'] }, env)).toBe(0);
    expect(
      json(await handleExchangeRates(q({ currency: 'JPY', date: '2026-10-31' }), storage, logger())).rates[0],
    ).toMatchObject({ source: `file:${file}`, asOf: '2026-10-30' });
    const fxFile = tmpFile('fx.csv', fxCsv({ ISK: '0.0072' }, '202611'));
    const outside = { source: `file:${fxFile}`, 'as-of': '2026-12-05' };
    expect(await refreshCommand.run({ values: outside, positionals: ['rates'] }, env)).toBe(2);
    expect(JSON.parse(lines.at(-1) as string).runs[0].error).toMatch(/month 202611 .*--as-of 2026-12-05 is outside/);
    await expect(refreshCommand.run({ values: { source: 'ftp' }, positionals: ['rates'] }, env)).rejects.toThrow(
      /--source/,
    );
    const fx = tmpFile('pc-fx.zip', await zipOf({ 'fx.csv': fxCsv({ ISK: '0.0072' }, '202611') }));
    expect(await ingestCommand.run({ values: { 'as-of': '2026-11-04' }, positionals: [fx] }, env)).toBe(0);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
      ok: true,
      runs: [{ view: 'fxrates', source: 'file:pc-fx.zip', added: 1 }],
    });
    await expect(refreshCommand.run({ values: { market: 'US' }, positionals: ['rates'] }, env)).rejects.toThrow(
      /--market/,
    );
  });
});
