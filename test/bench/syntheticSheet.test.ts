import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeSyntheticSheet } from '../../bench/syntheticSheet';
import { validatePriceRecord } from '../../shared/prices/row';
import { readAll, tempFiles } from '../helpers/files';

const files = tempFiles();
const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const at = (name: string) => path.join(files.dir(), name);

describe('writeSyntheticSheet', () => {
  it('is deterministic by seed', async () => {
    await writeSyntheticSheet(at('a.csv'), { rows: 2000, seed: 7 });
    await writeSyntheticSheet(at('b.csv'), { rows: 2000, seed: 7 });
    await writeSyntheticSheet(at('c.csv'), { rows: 2000, seed: 8 });
    expect(hash(at('a.csv'))).toBe(hash(at('b.csv')));
    expect(hash(at('a.csv'))).not.toBe(hash(at('c.csv')));
  });

  it('writes valid, realistically shaped rows', async () => {
    const result = await writeSyntheticSheet(at('shape.csv'), { rows: 5000, seed: 1 });
    expect(result).toEqual({ rows: 5000, bytes: fs.statSync(at('shape.csv')).size });
    const lines = await readAll(at('shape.csv'));
    const records = lines.flatMap((line) => ('record' in line ? [line.record] : []));
    expect(records).toHaveLength(5000);
    expect(records.every((record) => validatePriceRecord(record).ok)).toBe(true);
    const products = new Set(records.map((record) => record.productId)).size;
    expect(products).toBeGreaterThan(30);
    expect(products).toBeLessThan(80);
    const tiered = records.filter((record) => record.pricingTierRangeMin !== '').length / records.length;
    expect(tiered).toBeGreaterThan(0.3); // a fifth of meters, three rows each
    const firstDigits = new Map<string, number>();
    for (const record of records) firstDigits.set(record.meterId![0], (firstDigits.get(record.meterId![0]) ?? 0) + 1);
    expect(firstDigits.size).toBe(16);
  });

  it('changes only the price of every Nth row for a "next day" sheet', async () => {
    await writeSyntheticSheet(at('today.csv'), { rows: 1000, seed: 3 });
    await writeSyntheticSheet(at('tomorrow.csv'), { rows: 1000, seed: 3, priceChangeEvery: 100 });
    const today = fs.readFileSync(at('today.csv'), 'utf8').split('\r\n');
    const tomorrow = fs.readFileSync(at('tomorrow.csv'), 'utf8').split('\r\n');
    const differing = today.flatMap((line, i) => (line === tomorrow[i] ? [] : [i]));
    expect(differing).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    const priceColumn = 10;
    const withoutPrice = (line: string) =>
      line
        .split('","')
        .filter((_, i) => i !== priceColumn)
        .join();
    for (const i of differing) expect(withoutPrice(today[i])).toBe(withoutPrice(tomorrow[i]));
  });

  it.each(['zip', 'gzip'] as const)('writes %s that reads back identically', async (format) => {
    await writeSyntheticSheet(at('plain.csv'), { rows: 3000, seed: 5 });
    await writeSyntheticSheet(at(`packed.${format}`), { rows: 3000, seed: 5, format });
    expect(await readAll(at(`packed.${format}`))).toEqual(await readAll(at('plain.csv')));
  });
});
