import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import unzipper from 'unzipper';
import { readPriceFile } from '../../../../shared/formats/priceFile';
import { SourceError } from '../../../../shared/http/sourceErrors';
import type { PriceSheetRequest } from '../../../../shared/prices/sources/source';
import { createPartnerCenterSource } from '../../../../shared/prices/sources/partnerCenter';
import { NoPlannedChangesError } from '../../../../shared/prices/sources/source';
import {
  historySheetPath,
  priceSheetPath,
  startPartnerCenterFake,
  type PartnerCenterFake,
} from '../../../fakes/partnerCenterFake';
import { fastHttp, fastSettings, gapMs, readBody } from '../../../helpers/sources';

const CSV = [
  '"ProductTitle","ProductId","SkuId","SkuTitle","Publisher","SkuDescription","UnitOfMeasure","TermDuration",' +
    '"Market","Currency","UnitPrice","PricingTierRangeMin","PricingTierRangeMax","EffectiveStartDate",' +
    '"EffectiveEndDate","MeterIds","MeterType","Tags"',
  '"Virtual Machines Dv3 Series","DZH318Z0BQ4L","00TJ","D2 v3","Microsoft",' +
    '"Virtual Machines Dv3 Series D2 v3 US East","1 Hour","","US","USD","0.0960000000000000001","0","",' +
    '"3/1/2018 12:00:00 AM","11/30/9999 11:59:59 PM","0a6e8a5b-7b2c-4fa3-a1a4-6e5a1c4f0d3e","Consumption","Azure"',
  '',
].join('\r\n');

const consumption: PriceSheetRequest = { market: 'US', view: 'azure_consumption', timeline: 'current' };

describe('partnercenter source', () => {
  let fake: PartnerCenterFake;
  let tmp: string;

  beforeEach(async () => {
    fake = await startPartnerCenterFake();
    fake.setFile(priceSheetPath('US', 'azure_consumption'), CSV);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-source-'));
  });
  afterEach(async () => {
    await fake.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const source = (overrides: Record<string, string> = {}) => {
    const settings = fastSettings({ ...fake.settings, ...overrides });
    return createPartnerCenterSource(settings, fastHttp(settings));
  };
  const sheetRequests = () => fake.requests.filter((r) => r.path.includes('pricesheets'));

  it('downloads the zip the service answers to Accept-Encoding: deflate, bytes as received', async () => {
    const download = await source().fetchPriceSheet(consumption);
    expect(download.format).toBe('partnercenter-csv');
    expect(download.origin).toContain(
      "pricesheets(Market='US',PricesheetView='azure_consumption')/$value?timeline=current",
    );
    const bytes = await readBody(download.body);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    const file = path.join(tmp, 'sheet.bin');
    fs.writeFileSync(file, bytes);
    const zip = await unzipper.Open.file(file);
    expect(zip.files.map((f) => f.path)).toEqual(['pricesheet.csv']);
    expect((await zip.files[0].buffer()).toString('utf8')).toBe(CSV);

    const [request] = sheetRequests();
    expect(request.headers.authorization).toBe('Bearer fake-access-token-1');
    expect(request.headers['accept-encoding']).toBe('deflate');
    expect(decodeURIComponent(request.path)).toBe(priceSheetPath('US', 'azure_consumption', 'current'));
  });

  it('hands over bytes the price file reader reads, zip or plain', async () => {
    for (const plainOnly of [false, true]) {
      fake.setFile(priceSheetPath('US', 'azure_consumption'), CSV, { plainOnly });
      const file = path.join(tmp, `sheet-${plainOnly}.bin`);
      fs.writeFileSync(file, await readBody((await source().fetchPriceSheet(consumption)).body));
      const lines = [];
      for await (const line of readPriceFile(file)) lines.push(line);
      expect(lines).toEqual([
        { line: 2, record: expect.objectContaining({ productId: 'DZH318Z0BQ4L', unitPrice: '0.0960000000000000001' }) },
      ]);
    }
  });

  it('passes a plain CSV answer through unchanged', async () => {
    fake.setFile(priceSheetPath('US', 'azure_consumption'), CSV, { plainOnly: true });
    const download = await source().fetchPriceSheet(consumption);
    expect((await readBody(download.body)).toString('utf8')).toBe(CSV);
  });

  it('uses one token for several downloads', async () => {
    const pc = source();
    await readBody((await pc.fetchPriceSheet(consumption)).body);
    await readBody((await pc.fetchPriceSheet(consumption)).body);
    expect(fake.issuedTokens).toHaveLength(1);
  });

  it("asks a month's list of the history timeline, and refuses a month that is not YYYYMM", async () => {
    fake.setFile(historySheetPath('US', 'azure_consumption', '202403'), CSV, { plainOnly: true });
    const download = await source().fetchPriceSheet({ ...consumption, month: '202403' });
    expect((await readBody(download.body)).toString('utf8')).toBe(CSV);
    expect(download.origin).toContain('$value?timeline=history&month=202403');
    expect(decodeURIComponent(sheetRequests()[0].path)).toBe(historySheetPath('US', 'azure_consumption', '202403'));

    for (const request of [
      { ...consumption, month: '2024-03' },
      { ...consumption, month: '202403', timeline: 'future' as const },
    ]) {
      const error = await source()
        .fetchPriceSheet(request)
        .catch((e: unknown) => e);
      expect(String(error)).toContain('US/azure_consumption: a month must be YYYYMM, of the current timeline');
    }
    expect(sheetRequests()).toHaveLength(1);
  });

  it('tells "no planned changes" apart from a failure', async () => {
    const future: PriceSheetRequest = { market: 'US', view: 'updatedlicensebased', timeline: 'future' };
    const error = await source()
      .fetchPriceSheet(future)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoPlannedChangesError);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).status).toBe(404);
    expect(String(error)).toContain('US/updatedlicensebased: Partner Center has no planned price changes');
  });

  it('reports any other 404 as a failure', async () => {
    const error = await source()
      .fetchPriceSheet({ ...consumption, market: 'DE' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).not.toBeInstanceOf(NoPlannedChangesError);
    expect(String(error)).toMatch(/DE\/azure_consumption: Partner Center .* answered HTTP 404: .*Not Found/);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    fake.inject(
      {
        kind: 'status',
        status: 429,
        retryAfter: '1',
        body: '{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}',
      },
      { path: 'pricesheets' },
    );
    const download = await source({ HTTP_MAX_RETRY_DELAY_MS: '5000' }).fetchPriceSheet(consumption);
    await readBody(download.body);
    expect(sheetRequests()).toHaveLength(2);
    expect(gapMs(sheetRequests(), 1)).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx and then succeeds', async () => {
    fake.inject({ kind: 'status', status: 503 }, { path: 'pricesheets', times: 2 });
    const download = await source().fetchPriceSheet(consumption);
    expect((await readBody(download.body)).length).toBeGreaterThan(0);
    expect(sheetRequests()).toHaveLength(3);
  });

  it('names market, view and status once the retries are spent', async () => {
    fake.inject({ kind: 'status', status: 503 }, { path: 'pricesheets', times: 10 });
    const error = await source()
      .fetchPriceSheet(consumption)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).status).toBe(503);
    expect((error as SourceError).request).toEqual(consumption);
    expect(String(error)).toMatch(
      /^SourceError: US\/azure_consumption: Partner Center .* answered HTTP 503 after 4 attempts/,
    );
  });

  it('names market and view when the connection keeps failing', async () => {
    fake.inject({ kind: 'reset' }, { path: 'pricesheets', times: 10 });
    const error = await source()
      .fetchPriceSheet(consumption)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(/US\/azure_consumption: .*socket hang up \(gave up after 4 attempts\)/);
  });

  it('fails a cut-off download clearly', async () => {
    fake.inject({ kind: 'truncate', afterBytes: 20 }, { path: 'pricesheets' });
    const download = await source().fetchPriceSheet(consumption);
    const error = await readBody(download.body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(/US\/azure_consumption: GET .*\$value: body truncated.*\(received 20 of \d+ bytes\)/);
  });

  it('fails a download from a server gone quiet', async () => {
    fake.inject({ kind: 'idle', afterBytes: 20 }, { path: 'pricesheets' });
    const download = await source().fetchPriceSheet(consumption);
    await expect(readBody(download.body)).rejects.toThrow(
      /US\/azure_consumption: .*no data for 300 ms \(received 20 of \d+ bytes\)/,
    );
  });

  it('forgets a refused token, so the next run redeems afresh', async () => {
    const pc = source();
    await readBody((await pc.fetchPriceSheet(consumption)).body);
    fake.revokeTokens();
    const error = await pc.fetchPriceSheet(consumption).catch((e: unknown) => e);
    expect((error as SourceError).status).toBe(401);
    expect(String(error)).toContain('Invalid Authorization header');
    await readBody((await pc.fetchPriceSheet(consumption)).body);
    expect(fake.issuedTokens).toHaveLength(2);
  });

  it('reports a failed sign-in as a SourceError without credentials', async () => {
    const error = await source({ PARTNER_CENTER_APP_SECRET: 'not-the-secret' })
      .fetchPriceSheet(consumption)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toMatch(/US\/azure_consumption: token request to .* failed: HTTP 401/);
    expect(String(error)).not.toContain('not-the-secret');
  });
});
