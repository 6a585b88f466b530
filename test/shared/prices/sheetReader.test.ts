import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileFault } from '../../../shared/files/fault';
import { judgedLines, type JudgedLine, type SheetSource } from '../../../shared/prices/sheetLines';
import { readJudgedLines, startReading, WORKER_MIN_BYTES } from '../../../shared/prices/sheetReader';
import { startedWorkers } from '../../setup/typeScriptWorkers';
import { consumptionRow, meterId, sheetCsv, type SheetRow } from '../../helpers/priceSheets';

/** A sheet of at least WORKER_MIN_BYTES (read in a worker), with bad lines among the good. */
function bigSheetRows(): SheetRow[] {
  const rows: SheetRow[] = [];
  for (let i = 0; i < 6000; i++) {
    let row = consumptionRow({ ProductId: `PROD${i % 40}`, UnitPrice: `0.${1000 + i}`, MeterIds: meterId(90_000 + i) });
    if (i % 997 === 5) row = { ...row, UnitPrice: 'ten' };
    if (i % 1499 === 7) row = { ...row, Market: 'DE' };
    if (i % 2003 === 9) row = { ...row, EffectiveStartDate: '' };
    rows.push(row);
  }
  return rows;
}

async function all(batches: AsyncIterable<JudgedLine[]>): Promise<JudgedLine[]> {
  const lines: JudgedLine[] = [];
  for await (const batch of batches) lines.push(...batch);
  return lines;
}

describe('sheet reader', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sheet-reader-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sheet = (name: string, text: string): SheetSource => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return { format: 'partnercenter-csv', file, market: 'US', view: 'azure_consumption' };
  };

  it('judges a large sheet in a worker exactly as in the calling thread', async () => {
    const source = sheet('big.csv', sheetCsv(bigSheetRows()));
    expect(fs.statSync(source.file).size).toBeGreaterThanOrEqual(WORKER_MIN_BYTES);

    const inWorker = await all(readJudgedLines(source));
    const inThread = await all(judgedLines(source));

    expect(inWorker).toEqual(inThread);
    const rejected = inWorker.filter((line) => 'reason' in line);
    expect(rejected.length).toBeGreaterThan(3);
    expect(rejected.some((line) => 'reason' in line && /Market DE/.test(line.reason))).toBe(true);
    expect(inWorker.length - rejected.length).toBeGreaterThan(3000);
  });

  it("refuses a broken large sheet with the same FileFault as the calling thread's", async () => {
    // A quote opened in the last row and never closed: the parser finds it only at the end of the file.
    const text = `${sheetCsv(bigSheetRows())}"unterminated,${'x'.repeat(100)}\r\n`;
    const source = sheet('broken.csv', text);
    expect(fs.statSync(source.file).size).toBeGreaterThanOrEqual(WORKER_MIN_BYTES);

    const inThread = await all(judgedLines(source)).catch((error: unknown) => error);
    const inWorker = await all(readJudgedLines(source)).catch((error: unknown) => error);

    expect(inThread).toBeInstanceOf(FileFault);
    expect(inWorker).toBeInstanceOf(FileFault);
    expect((inWorker as Error).message).toBe((inThread as Error).message);
    expect((inWorker as Error).message).toMatch(/unreadable/);
  });

  it('stops its worker when the reader stops early', async () => {
    const source = sheet('early.csv', sheetCsv(bigSheetRows()));
    expect(fs.statSync(source.file).size).toBeGreaterThanOrEqual(WORKER_MIN_BYTES);
    const started = startedWorkers.length;

    for await (const batch of readJudgedLines(source)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }

    // One worker was started, and it has stopped (a stopped worker's threadId is -1).
    expect(startedWorkers.slice(started).map((worker) => worker.threadId)).toEqual([-1]);
  });

  it('judges while the caller prepares, and stops a reading whose lines were never taken', async () => {
    const source = sheet('started.csv', sheetCsv(bigSheetRows()));
    const started = startedWorkers.length;

    const reading = startReading(source);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(startedWorkers.length).toBe(started + 1);
    await reading.stop();

    expect(startedWorkers.slice(started).map((worker) => worker.threadId)).toEqual([-1]);
  });

  it('gives a started reading all its lines, in order', async () => {
    const source = sheet('all.csv', sheetCsv(bigSheetRows()));
    const reading = startReading(source);
    expect(await all(reading)).toEqual(await all(judgedLines(source)));
  });

  it("judges rows near the largest a record may be within the worker's heap", async () => {
    // 30 rows of 900,000 characters (MAX_RECORD_CHARS is 1,000,000): 500 of them would be a gigabyte.
    const huge = Array.from({ length: 30 }, (_, i) =>
      consumptionRow({ SkuDescription: `${i} ${'x'.repeat(900_000)}`, MeterIds: meterId(95_000 + i) }),
    );
    const source = sheet('huge.csv', sheetCsv(huge));
    const lines = await all(readJudgedLines(source));
    expect(lines).toHaveLength(30);
    expect(lines.filter((line) => 'reason' in line)).toEqual([]);
  });

  it('reads a small sheet in the calling thread', async () => {
    const source = sheet('small.csv', sheetCsv([consumptionRow(), consumptionRow({ UnitPrice: 'x' })]));
    const lines = await all(readJudgedLines(source));
    expect(lines.map((line) => 'reason' in line)).toEqual([false, true]);
  });
});
