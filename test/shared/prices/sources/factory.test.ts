import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SourceError } from '../../../../shared/http/sourceErrors';
import type { PriceSheetRequest } from '../../../../shared/prices/sources/source';
import { createPriceSheetSource } from '../../../../shared/prices/sources/factory';
import { FAKE_CREDENTIALS } from '../../../fakes/partnerCenterFake';
import { fastSettings, readBody } from '../../../helpers/sources';

const request: PriceSheetRequest = { market: 'US', view: 'azure_consumption', timeline: 'current' };

describe('file source', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'file-source-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('serves the file as it is', async () => {
    const file = path.join(tmp, 'sheet.zip');
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff]);
    fs.writeFileSync(file, bytes);
    const download = await createPriceSheetSource(fastSettings(), `file:${file}`).fetchPriceSheet(request);
    expect(download.format).toBe('partnercenter-csv');
    expect(download.origin).toBe(`file:${file}`);
    expect((await readBody(download.body)).equals(bytes)).toBe(true);
  });

  it('names a missing file', async () => {
    const missing = path.join(tmp, 'nope.csv');
    const error = await createPriceSheetSource(fastSettings(), `file:${missing}`)
      .fetchPriceSheet(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(String(error)).toContain(`US/azure_consumption: price file ${missing} does not exist`);
  });
});

describe('createPriceSheetSource', () => {
  it('builds the source PRICES_SOURCE names', () => {
    expect(createPriceSheetSource(fastSettings({ PRICES_SOURCE: 'retail' })).name).toBe('retail');
    expect(createPriceSheetSource(fastSettings({ PRICES_SOURCE: 'file:x.csv' })).name).toBe('file:x.csv');
    expect(createPriceSheetSource(fastSettings({ PRICES_SOURCE: 'sample' })).name).toBe('sample');
  });

  it('builds partnercenter only with its credentials', () => {
    const credentials = {
      PARTNER_CENTER_TENANT_ID: FAKE_CREDENTIALS.tenantId,
      PARTNER_CENTER_APP_ID: FAKE_CREDENTIALS.appId,
      PARTNER_CENTER_APP_SECRET: FAKE_CREDENTIALS.appSecret,
      PARTNER_CENTER_REFRESH_TOKEN: FAKE_CREDENTIALS.refreshToken,
    };
    expect(createPriceSheetSource(fastSettings(credentials), 'partnercenter').name).toBe('partnercenter');
    expect(() => createPriceSheetSource(fastSettings(), 'partnercenter')).toThrow(/needs PARTNER_CENTER_TENANT_ID/);
  });

  it('refuses an unknown name', () => {
    expect(() => createPriceSheetSource(fastSettings(), 'ftp')).toThrow(/unknown price source "ftp"/);
  });
});
