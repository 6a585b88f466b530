import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import type { ReadLine } from '../../shared/prices/row';
import { readPriceFile } from '../../shared/formats/priceFile';

/** Temporary files for parser tests, removed after the test file. */
export function tempFiles(): { file(name: string, content: string | Buffer): string; dir(): string } {
  let dir: string | undefined;
  afterAll(() => {
    // maxRetries: a stream a failed test closed may still be creating its file.
    if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  const ensure = () => (dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'price-files-')));
  return {
    dir: ensure,
    file(name, content) {
      const filePath = path.join(ensure(), name);
      fs.writeFileSync(filePath, content);
      return filePath;
    },
  };
}

export async function readAll(filePath: string): Promise<ReadLine[]> {
  const lines: ReadLine[] = [];
  for await (const line of readPriceFile(filePath)) lines.push(line);
  return lines;
}

export function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

export const PC_HEADER =
  '"ProductTitle","ProductId","SkuId","SkuTitle","Publisher","SkuDescription","UnitOfMeasure","TermDuration","Market","Currency","UnitPrice","PricingTierRangeMin","PricingTierRangeMax","EffectiveStartDate","EffectiveEndDate","MeterIds","MeterType","Tags"';

export function pcRow(overrides: Partial<Record<string, string>> = {}): string {
  const values = {
    ProductTitle: 'Virtual Machines',
    ProductId: 'DZH318Z0BQ4L',
    SkuId: '0001',
    SkuTitle: 'D2 v3',
    Publisher: 'Microsoft',
    SkuDescription: 'Virtual Machines D2 v3 - US East',
    UnitOfMeasure: '1 Hour',
    TermDuration: '',
    Market: 'US',
    Currency: 'USD',
    UnitPrice: '0.096000',
    PricingTierRangeMin: '',
    PricingTierRangeMax: '',
    EffectiveStartDate: '3/1/2018 12:00:00 AM',
    EffectiveEndDate: '11/30/9999 11:59:59 PM',
    MeterIds: '50b363d1-feb5-1b7f-a847-bf36ef64b78c',
    MeterType: '1 Compute Hour',
    Tags: 'Azure',
    ...overrides,
  };
  return Object.values(values)
    .map((v) => `"${String(v).replace(/"/g, '""')}"`)
    .join(',');
}
