import zlib from 'node:zlib';
import { FileFault } from '../../../shared/files/fault';
import { detectCompression } from '../../../shared/formats/compression';
import { PC_HEADER, pcRow, readAll, tempFiles, zipOf } from '../../helpers/files';

const files = tempFiles();
const csv = [
  PC_HEADER,
  pcRow({ SkuId: 'ONE' }),
  pcRow({ SkuId: 'TWO', SkuDescription: 'two\r\nlines' }),
  pcRow({ SkuId: 'THREE' }),
].join('\r\n');
const expected = [
  [2, 'ONE'],
  [3, 'TWO'],
  [5, 'THREE'],
];
const summary = (lines: Awaited<ReturnType<typeof readAll>>) =>
  lines.map((l) => [l.line, 'record' in l ? l.record.skuId : l.error]);

describe('readPriceFile: compression is recognised by content, not name', () => {
  it.each([
    ['plain', () => Buffer.from(csv)],
    ['gzip', () => zlib.gzipSync(csv)],
    ['zlib (HTTP deflate)', () => zlib.deflateSync(csv)],
    ['zip holding one CSV', () => zipOf({ 'pricesheet.csv': csv })],
    ['zip with a folder and a non-CSV entry', () => zipOf({ 'readme.txt': 'hello', 'export/US.CSV': csv })],
  ])('%s', async (_, content) => {
    const file = files.file(`misleading-name-${_.replace(/\W/g, '')}.txt`, await content());
    expect(summary(await readAll(file))).toEqual(expected);
  });

  it('detects from the first bytes', () => {
    expect(detectCompression(Buffer.from('PK\x03\x04'))).toBe('zip');
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x78, 0x9c]))).toBe('zlib');
    expect(detectCompression(Buffer.from([0x78, 0xda]))).toBe('zlib');
    expect(detectCompression(Buffer.from('xyz,'))).toBe('none');
    expect(detectCompression(Buffer.from('"Pr'))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  it('refuses a zip with two CSVs, naming them', async () => {
    const file = files.file('two.zip', await zipOf({ 'a.csv': csv, 'b.csv': csv }));
    await expect(readAll(file)).rejects.toThrow(FileFault);
    await expect(readAll(file)).rejects.toThrow(
      'must hold exactly one CSV file but holds 2 CSV files (entries: a.csv, b.csv)',
    );
  });

  it('refuses a zip with no CSV', async () => {
    const file = files.file('none.zip', await zipOf({ 'rates.json': '{}' }));
    await expect(readAll(file)).rejects.toThrow(
      'must hold exactly one CSV file but holds no CSV file (entries: rates.json)',
    );
  });

  it('refuses a zip of thousands of entries in a short reason', async () => {
    const entries = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`${'n'.repeat(200)}${i}.txt`, '']));
    const error = await readAll(files.file('many.zip', await zipOf(entries))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFault);
    expect((error as Error).message).toBe(
      'the zip archive holds 1001 entries; a price or rate file holds one CSV (at most 1000 entries are looked at)',
    );
  });

  it('lists at most 10 entry names, each cut short, when the CSV is missing', async () => {
    const entries = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${i}${'n'.repeat(300)}.txt`, '']));
    const error = await readAll(files.file('no-csv.zip', await zipOf(entries))).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^the zip archive must hold exactly one CSV file but holds no CSV file/);
    expect((error as Error).message).toMatch(/ and 490 more\)$/);
    expect((error as Error).message.length).toBeLessThan(1300);
  });

  it('refuses a truncated zip', async () => {
    const whole = await zipOf({ 'pricesheet.csv': csv.repeat(50) });
    for (const keep of [0.9, 0.5, 0.1]) {
      const file = files.file(`truncated-${keep}.zip`, whole.subarray(0, Math.floor(whole.length * keep)));
      await expect(readAll(file)).rejects.toThrow(FileFault);
    }
  });

  it('refuses a zip whose entry data is corrupt', async () => {
    const whole = Buffer.from(await zipOf({ 'pricesheet.csv': csv.repeat(50) }));
    for (let i = 60; i < 400; i++) whole[i] ^= 0x5a; // compressed data, after the 30+14-byte local header
    const file = files.file('corrupt.zip', whole);
    await expect(readAll(file)).rejects.toThrow(FileFault);
  });

  it('refuses a truncated gzip and zlib stream', async () => {
    const gz = zlib.gzipSync(csv.repeat(50));
    const z = zlib.deflateSync(csv.repeat(50));
    await expect(readAll(files.file('cut.gz', gz.subarray(0, gz.length - 40)))).rejects.toThrow(FileFault);
    await expect(readAll(files.file('cut.z', z.subarray(0, z.length - 40)))).rejects.toThrow(FileFault);
  });
});
