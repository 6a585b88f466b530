import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../../shared/config/paths';
import { validatePriceRecord } from '../../../../shared/prices/row';
import { SourceError } from '../../../../shared/http/sourceErrors';
import type { PriceSheetRequest } from '../../../../shared/prices/sources/source';
import { createSampleSource } from '../../../../shared/prices/sources/sample';
import { readAll, tempFiles } from '../../../helpers/files';

const files = tempFiles();
const source = createSampleSource();

async function download(request: PriceSheetRequest): Promise<string> {
  const sheet = await source.fetchPriceSheet(request);
  expect(sheet.format).toBe('partnercenter-csv');
  const chunks: Buffer[] = [];
  for await (const chunk of sheet.body) chunks.push(chunk as Buffer);
  return files.file(`${request.view}.csv`, Buffer.concat(chunks));
}

describe('sample source', () => {
  it('finds the project root (package.json and sample-data)', () => {
    expect(fs.existsSync(path.join(projectRoot(), 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(projectRoot(), 'sample-data', 'README.md'))).toBe(true);
  });

  it.each(['azure_consumption', 'azure_reservations'] as const)(
    'serves US %s as valid, clearly marked sample rows',
    async (view) => {
      expect(source.name).toBe('sample');
      const file = await download({ market: 'US', view, timeline: 'current' });
      expect(fs.readFileSync(file, 'utf8').split('\r\n')[0]).toBe(
        '"ProductTitle","ProductId","SkuId","SkuTitle","Publisher","SkuDescription","UnitOfMeasure","TermDuration",' +
          '"Market","Currency","UnitPrice","PricingTierRangeMin","PricingTierRangeMax","EffectiveStartDate",' +
          '"EffectiveEndDate","MeterIds","MeterType","Tags"',
      );
      const lines = await readAll(file);
      expect(lines.length).toBeGreaterThanOrEqual(40);
      expect(lines.length).toBeLessThanOrEqual(80);
      for (const line of lines) {
        if (!('record' in line)) throw new Error(`line ${line.line}: ${line.error}`);
        expect(line.record.productTitle).toMatch(/^SAMPLE /);
        const verdict = validatePriceRecord(line.record);
        expect(verdict).toMatchObject({ ok: true, row: { market: 'US', currency: 'USD' } });
        expect(line.record.meterId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
      if (view === 'azure_reservations') {
        expect(new Set(lines.map((l) => ('record' in l ? l.record.termDuration : '')))).toEqual(
          new Set(['P1Y', 'P3Y']),
        );
      } else {
        const records = lines.flatMap((l) => ('record' in l ? [l.record] : []));
        expect(records.some((r) => r.pricingTierRangeMax === '9223372036854780000')).toBe(true);
        expect(records.some((r) => r.effectiveEndDate === '2021-11-03T06:57:30.0682597Z')).toBe(true);
        expect(new Set(records.map((r) => r.tags))).toEqual(new Set(['Azure', 'Consumption', 'ThirdParty']));
      }
    },
  );

  it.each([
    [
      { market: 'DE', view: 'azure_consumption', timeline: 'current' },
      'DE/azure_consumption: no sample data for DE/azure_consumption; ' +
        'the sample covers US azure_consumption and azure_reservations',
    ],
    [{ market: 'FR', view: 'updatedlicensebased', timeline: 'current' }, 'no sample data for FR/updatedlicensebased'],
    [{ market: 'DE', view: 'updatedlicensebased', timeline: 'future' }, 'no planned price changes'],
    [{ market: 'US', view: 'azure_consumption', timeline: 'future' }, 'no sample data for the future timeline'],
  ] as [PriceSheetRequest, string][])('refuses %j', async (request, message) => {
    const attempt = source.fetchPriceSheet(request);
    await expect(attempt).rejects.toThrow(SourceError);
    await expect(attempt).rejects.toThrow(message);
  });
});
