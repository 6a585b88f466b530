import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { testSettings } from '../helpers/storage';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';

describe('CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  const sheet = path.join(dir, 'US_consumption.csv');
  fs.writeFileSync(
    sheet,
    sheetCsv(
      Array.from({ length: 30 }, (_, i) => consumptionRow({ MeterIds: meterId(7000 + i), UnitPrice: `1.${i}` })),
    ),
  );

  beforeAll(() => {
    const settings = testSettings();
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  });

  it('ingests a file; with --json the summary object is the last thing on stdout', async () => {
    const first = await runCli(['ingest', sheet, '--as-of', '2026-11-01', '--json']);
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]);
    expect(summary).toMatchObject({ ok: true, read: 30, rejected: 0, added: 30, changed: 0, removed: 0, unchanged: 0 });
    // Partner Center's change codes, added next to the words.
    expect(summary.codes).toEqual({ ADD: 30, CHG: 0, DEL: 0, UNC: 0 });
    expect(summary.runs[0].codes).toEqual({ ADD: 30, CHG: 0, DEL: 0, UNC: 0 });
    expect(typeof summary.durationMs).toBe('number');
    expect(summary.runs[0]).toMatchObject({ market: 'US', view: 'azure_consumption', asOf: '2026-11-01' });

    const again = await runCli(['ingest', sheet, '--as-of', '2026-11-02']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n')).toHaveLength(1);
    expect(again.stdout).toMatch(/ — read 30, rejected 0, ADD 0, CHG 0, DEL 0, UNC 30 \(\d+\.\d s\)\n$/);
  });

  it('refreshes from the sample source for a backfill day', async () => {
    const result = await runCli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'US',
      '--view',
      'azure_consumption',
      '--as-of',
      '2026-10-01',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() as string)).toMatchObject({
      ok: true,
      runs: [{ asOf: '2026-10-01', source: 'sample', outcome: 'succeeded' }],
    });
  });

  it('treats "no planned price changes" for a future list as success, and says so', async () => {
    const result = await runCli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'DE',
      '--view',
      'updatedlicensebased',
      '--timeline',
      'future',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop() as string);
    expect(summary).toMatchObject({ ok: true, runs: [{ outcome: 'succeeded', read: 0, timeline: 'future' }] });
    expect(summary.runs[0].note).toMatch(/no planned price changes/);
  });

  it('exits 2 when the pipeline refuses the file itself (too many rejected rows)', async () => {
    const bad = path.join(dir, 'US_bad.csv');
    fs.writeFileSync(
      bad,
      sheetCsv([
        consumptionRow({ MeterIds: meterId(7100) }),
        consumptionRow({ MeterIds: meterId(7101), UnitPrice: 'abc' }),
      ]),
    );
    const result = await runCli(['ingest', bad, '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() as string)).toMatchObject({
      ok: false,
      runs: [{ outcome: 'failed', error: expect.stringMatching(/1 of 2 rows rejected/) as string }],
    });
  });

  it('exits non-zero with a clear message on failure and on bad usage', async () => {
    const noSample = await runCli([
      'refresh',
      'prices',
      '--source',
      'sample',
      '--market',
      'DE',
      '--view',
      'azure_consumption',
      '--json',
    ]);
    expect(noSample.code).toBe(1);
    expect(JSON.parse(noSample.stdout.trim().split('\n').pop() as string)).toMatchObject({
      ok: false,
      runs: [{ market: 'DE', outcome: 'failed' }],
    });
    expect(noSample.stderr).toMatch(/DE\/azure_consumption: FAILED/);

    const badDate = await runCli(['ingest', sheet, '--as-of', '2026-13-01']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--as-of must be a date YYYY-MM-DD/);

    const contradicted = await runCli(['ingest', sheet, '--market', 'DE']);
    expect(contradicted.code).toBe(2);
    expect(contradicted.stderr).toMatch(/--market says market DE but the rows say US/);

    const missing = await runCli(['ingest', path.join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});
