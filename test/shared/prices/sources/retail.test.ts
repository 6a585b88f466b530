import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReadLine } from '../../../../shared/prices/row';
import { FileFault } from '../../../../shared/files/fault';
import { validatePriceRecord } from '../../../../shared/prices/row';
import { SourceError } from '../../../../shared/http/sourceErrors';
import type { PriceSheetRequest } from '../../../../shared/prices/sources/source';
import { numbersAsText, readRetailPages } from '../../../../shared/formats/retailPages';
import { createRetailSource } from '../../../../shared/prices/sources/retail';
import { versionKeys } from '../../../../shared/prices/tables/keys';
import { refreshPrices } from '../../../../shared/prices/refresh';
import { handlePrices } from '../../../../shared/prices/endpoints/lookup';
import { requestFor } from '../../../../shared/api/endpoint';
import { createLogger, memorySink } from '../../../../shared/observability/logger';
import { todayUtc } from '../../../../shared/core/dates';
import { testStorage } from '../../../helpers/storage';
import { rawNumber, startRetailFake, type RetailFake, type RetailFakeItem } from '../../../fakes/retailFake';
import { fastHttp, fastSettings, gapMs, readBody } from '../../../helpers/sources';

const PRECISE = '0.000123456789012345678';

function item(n: number, overrides: RetailFakeItem = {}): RetailFakeItem {
  return {
    currencyCode: 'USD',
    tierMinimumUnits: rawNumber('0.0'),
    retailPrice: rawNumber(n === 1 ? PRECISE : `${n}.5`),
    unitPrice: rawNumber(n === 1 ? PRECISE : `${n}.5`),
    armRegionName: 'eastus',
    location: 'US East',
    effectiveStartDate: '2023-04-01T00:00:00Z',
    meterId: `00000000-0000-0000-0000-00000000000${n}`,
    meterName: 'D2 v3',
    productId: 'DZH318Z0BQ4L',
    skuId: `DZH318Z0BQ4L/00${n}`,
    productName: 'Virtual Machines Dv3 Series',
    skuName: 'D2 v3',
    serviceName: 'Virtual Machines',
    serviceId: 'DZH313Z7MMC8',
    serviceFamily: 'Compute',
    unitOfMeasure: '1 Hour',
    type: 'Consumption',
    isPrimaryMeterRegion: true,
    armSkuName: 'Standard_D2_v3',
    ...overrides,
  };
}

const ITEMS: RetailFakeItem[] = [
  item(1),
  item(2),
  item(3, { type: 'Reservation', reservationTerm: '1 Year' }),
  item(4),
  item(5, { type: 'Reservation', reservationTerm: '3 Years' }),
  item(6),
  item(7),
];

const consumption: PriceSheetRequest = { market: 'US', view: 'azure_consumption', timeline: 'current' };

describe('retail source', () => {
  let fake: RetailFake;
  let tmp: string;

  beforeEach(async () => {
    fake = await startRetailFake(ITEMS, { pageSize: 2 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retail-source-'));
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const source = (overrides: Record<string, string> = {}) => {
    const settings = fastSettings({ RETAIL_PRICES_URL: fake.pricesUrl, ...overrides });
    return createRetailSource(settings, fastHttp(settings));
  };

  async function download(request: PriceSheetRequest, overrides: Record<string, string> = {}): Promise<string> {
    const file = path.join(tmp, `${request.market}-${request.view}.jsonl`);
    fs.writeFileSync(file, await readBody((await source(overrides).fetchPriceSheet(request)).body));
    return file;
  }

  async function readAll(file: string, market: string): Promise<ReadLine[]> {
    const lines: ReadLine[] = [];
    for await (const line of readRetailPages(file, market)) lines.push(line);
    return lines;
  }

  it('follows NextPageLink to the end and keeps each page as received, one per line', async () => {
    const file = await download(consumption);
    const pages = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    // Five consumption items in pages of two.
    expect(pages).toHaveLength(3);
    expect(fake.requests).toHaveLength(3);
    expect(pages[0]).toContain(`"retailPrice":${PRECISE}`);
    const first = fake.requests[0].url.searchParams;
    expect(first.get('currencyCode')).toBe("'USD'");
    expect(first.get('$filter')).toBe("priceType eq 'Consumption'");
    expect(first.get('meterRegion')).toBe("'primary'");
    expect(fake.requests[2].url.searchParams.get('$skip')).toBe('4');
  });

  it('maps items onto Partner Center fields without losing a digit', async () => {
    const lines = await readAll(await download(consumption), 'US');
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    const [first] = lines;
    if (!('record' in first)) throw new Error(first.error);
    expect(first.record).toEqual({
      productTitle: 'Virtual Machines Dv3 Series',
      productId: 'DZH318Z0BQ4L',
      skuId: 'DZH318Z0BQ4L/001',
      skuTitle: 'D2 v3',
      publisher: 'Microsoft',
      skuDescription: 'Virtual Machines / D2 v3 / D2 v3 / eastus',
      unitOfMeasure: '1 Hour',
      termDuration: '',
      market: 'US',
      currency: 'USD',
      unitPrice: PRECISE,
      pricingTierRangeMin: '0.0',
      effectiveStartDate: '2023-04-01T00:00:00Z',
      effectiveEndDate: '9999-12-31T23:59:59.0000000Z',
      meterId: '00000000-0000-0000-0000-000000000001',
      meterType: 'Consumption',
      tags: 'Consumption',
      region: 'eastus',
      location: 'US East',
      priceType: 'Consumption',
    });
    for (const line of lines) {
      if (!('record' in line)) throw new Error(line.error);
      expect(validatePriceRecord(line.record).ok).toBe(true);
    }
  });

  it('keeps an end date the API publishes, and the open end where it publishes none', async () => {
    fake.setItems([item(1, { effectiveEndDate: '2024-05-31T23:59:59Z' }), item(2)]);
    const lines = await readAll(await download(consumption), 'US');
    const ends = lines.map((l) => ('record' in l ? l.record.effectiveEndDate : l.error));
    expect(ends).toEqual(['2024-05-31T23:59:59Z', '9999-12-31T23:59:59.0000000Z']);
    const [first] = lines;
    if (!('record' in first)) throw new Error(first.error);
    expect(validatePriceRecord(first.record)).toMatchObject({
      ok: true,
      row: { effectiveEndDate: '2024-05-31T23:59:59.0000000Z' },
    });
  });

  it('reads each savings plan of a meter as its own row, price type SavingsPlan, with its term', async () => {
    const savingsPlan = [
      { unitPrice: rawNumber('0.0'), retailPrice: rawNumber('0.076000'), term: '3 Years' },
      { unitPrice: rawNumber('1E-05'), retailPrice: rawNumber('0.1214'), term: '1 Year' },
    ];
    fake.setItems([item(1, { savingsPlan })]);
    const lines = await readAll(await download(consumption), 'US');
    const rows = lines.map((l) => {
      if (!('record' in l)) throw new Error(l.error);
      const verdict = validatePriceRecord(l.record);
      if (!verdict.ok) throw new Error(verdict.reason);
      return { line: l.line, ...verdict.row };
    });
    expect(rows.map((r) => [r.line, r.priceType, r.termDuration, r.unitPrice, r.meterId, r.region])).toEqual([
      [1, 'Consumption', '', PRECISE, '00000000-0000-0000-0000-000000000001', 'eastus'],
      [1, 'SavingsPlan', 'P3Y', '0.076000', '00000000-0000-0000-0000-000000000001', 'eastus'],
      [1, 'SavingsPlan', 'P1Y', '0.1214', '00000000-0000-0000-0000-000000000001', 'eastus'],
    ]);
    // Their version keys differ (the term is part of them), so the three are stored side by side.
    const keys = new Set(rows.map((r) => versionKeys(r, 'azure_consumption').rowKey));
    expect(keys.size).toBe(3);
  });

  it('stores and serves them: an ended price is not in force after its end, savings plans are own items', async () => {
    const ended = '00000000-0000-0000-0000-000000000001';
    const planned = '00000000-0000-0000-0000-000000000002';
    fake.setItems([
      item(1, { effectiveEndDate: '2024-05-31T23:59:59Z' }),
      item(2, { savingsPlan: [{ unitPrice: rawNumber('0.0'), retailPrice: rawNumber('0.076000'), term: '3 Years' }] }),
    ]);
    const { storage } = testStorage();
    const settings = fastSettings({ RETAIL_PRICES_URL: fake.pricesUrl });
    const [run] = await refreshPrices({
      storage,
      settings,
      logger: createLogger(memorySink()),
      source: createRetailSource(settings, fastHttp(settings)),
      markets: ['US'],
      views: ['azure_consumption'],
      timeline: 'current',
      asOf: todayUtc(),
      kind: 'refresh',
    });
    expect(run).toMatchObject({ outcome: 'succeeded', counts: { read: 3, added: 3 } });
    const prices = (meter: string, date: string) =>
      handlePrices(
        requestFor('/api/prices', { market: 'US', meterId: meter, date }),
        storage,
        createLogger(memorySink()),
        'a paging key of this test, long enough for HMAC',
      );

    const before = await prices(ended, '2024-05-31');
    expect(before.body).toContain(`"unitPrice":${PRECISE}`);
    expect(JSON.parse(before.body).items[0]).toMatchObject({
      effectiveEndDate: '2024-05-31T23:59:59.0000000Z',
      region: 'eastus',
      location: 'US East',
      priceType: 'Consumption',
    });
    expect(JSON.parse((await prices(ended, '2024-06-01')).body).items).toEqual([]);

    const items = JSON.parse((await prices(planned, '2024-06-01')).body).items as Record<string, unknown>[];
    expect(items.map((i) => [i.priceType, i.termDuration])).toEqual(
      expect.arrayContaining([
        ['Consumption', ''],
        ['SavingsPlan', 'P3Y'],
      ]),
    );
    expect((await prices(planned, '2024-06-01')).body).toContain('"unitPrice":0.076000');
  });

  it('reads reservations with their terms as ISO durations', async () => {
    const request: PriceSheetRequest = { market: 'US', view: 'azure_reservations', timeline: 'current' };
    const lines = await readAll(await download(request), 'US');
    expect(fake.requests[0].url.searchParams.get('$filter')).toBe("priceType eq 'Reservation'");
    expect(lines.map((l) => ('record' in l ? l.record.termDuration : l.error))).toEqual(['P1Y', 'P3Y']);
  });

  it('asks for the currency of the market', async () => {
    await download({ ...consumption, market: 'DE' });
    expect(fake.requests[0].url.searchParams.get('currencyCode')).toBe("'EUR'");
  });

  it('refuses a market it has no currency for, before asking the API', async () => {
    const error = await source()
      .fetchPriceSheet({ ...consumption, market: 'ZZ' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(
      /ZZ\/azure_consumption: the retail source knows no currency for market ZZ \(known markets: US, /,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses views and timelines the API does not have', async () => {
    await expect(source().fetchPriceSheet({ ...consumption, view: 'updatedlicensebased' })).rejects.toThrow(
      /only azure_consumption and azure_reservations/,
    );
    await expect(source().fetchPriceSheet({ ...consumption, timeline: 'future' })).rejects.toThrow(
      /current prices only/,
    );
  });

  it('waits out a 429 in the middle of the paging', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfter: '1' }, { path: '$skip=2' });
    const lines = await readAll(await download(consumption, { HTTP_MAX_RETRY_DELAY_MS: '5000' }), 'US');
    expect(lines).toHaveLength(5);
    expect(fake.requests).toHaveLength(4);
    expect(gapMs(fake.requests, 2)).toBeGreaterThanOrEqual(950);
  });

  it('fails the body with a SourceError when a later page cannot be had', async () => {
    fake.inject({ kind: 'status', status: 500 }, { path: '$skip=4', times: 10 });
    const download = await source().fetchPriceSheet(consumption);
    const error = await readBody(download.body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(/US\/azure_consumption: Retail Prices page 3 answered HTTP 500 after 4 attempts/);
  });

  it('fails the fetch itself when the first page is refused', async () => {
    fake.inject({ kind: 'status', status: 400, body: '{"Error":{"Code":"BadRequest"}}' });
    await expect(source().fetchPriceSheet(consumption)).rejects.toThrow(
      /US\/azure_consumption: Retail Prices page 1 answered HTTP 400: .*BadRequest/,
    );
  });

  it('rejects a file whose page is not JSON as a whole', async () => {
    const file = path.join(tmp, 'broken.jsonl');
    fs.writeFileSync(file, '{"Items":[],"NextPageLink":null}\n{"Items":[\n');
    const error = await readAll(file, 'US').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFault);
    expect(String(error)).toMatch(/retail page 2 of .*broken\.jsonl: not JSON/);
  });

  it('reports an item that is not an object as a line error and reads on', async () => {
    const file = path.join(tmp, 'odd.jsonl');
    fs.writeFileSync(file, `{"Items":[42,{"productId":"P","skuId":"S","retailPrice":1E-7}],"NextPageLink":null}\n`);
    const lines = await readAll(file, 'US');
    expect(lines[0]).toEqual({ line: 1, error: expect.stringMatching(/^item 1 is not a Retail Prices item/) });
    expect(lines[1]).toMatchObject({ line: 2, record: { productId: 'P', unitPrice: '1E-7' } });
  });
});

describe('numbersAsText', () => {
  it('keeps the wire text of zeros with a fraction, exponents and integers beyond a double', () => {
    const json = '{"Items":[{"tierMinimumUnits":0.0,"retailPrice":1E-05,"unitPrice":12345678901234567890123}]}';
    expect(JSON.parse(numbersAsText(json))).toEqual({
      Items: [{ tierMinimumUnits: '0.0', retailPrice: '1E-05', unitPrice: '12345678901234567890123' }],
    });
  });

  it('quotes number literals and leaves strings alone, escapes included', () => {
    const json = '{"a":-1.50e+3,"b":"x\\"9\\\\","c":[0.000123456789012345678,true,null],"d9":"7"}';
    expect(JSON.parse(numbersAsText(json))).toEqual({
      a: '-1.50e+3',
      b: 'x"9\\',
      c: ['0.000123456789012345678', true, null],
      d9: '7',
    });
  });
});
