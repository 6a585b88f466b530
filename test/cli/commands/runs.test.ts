import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { todayUtc } from '../../../shared/core/dates';
import { jsonSummary, runCli } from '../../helpers/cli';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';
import { testSettings } from '../../helpers/storage';

/** `csp-pricing runs`: the ledger of runs made by the CLI itself, filtered. */

const REPO = path.join(__dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-runs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Listed = { runId: string; kind: string; market: string; view: string; outcome: string; startedAt: string };

async function runs(...args: string[]): Promise<Listed[]> {
  const result = await runCli(['runs', ...args, '--json']);
  expect(result.code).toBe(0);
  const summary = jsonSummary(result.stdout) as { ok: boolean; count: number; runs: Listed[] };
  expect(summary.count).toBe(summary.runs.length);
  return summary.runs;
}

const where = (run: Listed) => `${run.kind} ${run.market}/${run.view} ${run.outcome}`;

describe('runs', () => {
  beforeAll(async () => {
    const settings = testSettings();
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    const good = path.join(dir, 'good.csv');
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(good, sheetCsv([consumptionRow({ MeterIds: meterId(0x6200) })]));
    fs.writeFileSync(
      bad,
      sheetCsv([
        consumptionRow({ MeterIds: meterId(0x6201) }),
        consumptionRow({ MeterIds: meterId(0x6202), UnitPrice: 'abc' }),
      ]),
    );
    // Oldest first: an ingest, a failed ingest, a sample refresh, a failed refresh (no DE sample), rates.
    const made = [
      await runCli(['ingest', good, '--as-of', '2026-11-01']),
      await runCli(['ingest', bad, '--as-of', '2026-11-01']),
      await runCli(['refresh', 'prices', '--source', 'sample', '--market', 'US', '--view', 'azure_reservations']),
      await runCli(['refresh', 'prices', '--source', 'sample', '--market', 'DE', '--view', 'azure_consumption']),
      await runCli(['ingest', path.join(REPO, 'sample-data/fxrates.csv'), '--as-of', '2026-11-01']),
    ];
    expect(made.map((run) => run.code)).toEqual([0, 2, 0, 1, 0]);
  });

  it('lists every run newest first, and cuts at --limit', async () => {
    const all = await runs();
    expect(all.map(where)).toEqual([
      'ingest ALL/fxrates succeeded',
      'refresh DE/azure_consumption failed',
      'refresh US/azure_reservations succeeded',
      'ingest US/azure_consumption failed',
      'ingest US/azure_consumption succeeded',
    ]);
    expect((await runs('--limit', '2')).map((run) => run.runId)).toEqual(all.slice(0, 2).map((run) => run.runId));
  });

  it('filters by market, view, outcome and the UTC day the run started on', async () => {
    expect((await runs('--market', 'DE')).map(where)).toEqual(['refresh DE/azure_consumption failed']);
    expect((await runs('--outcome', 'failed')).map(where)).toEqual([
      'refresh DE/azure_consumption failed',
      'ingest US/azure_consumption failed',
    ]);
    expect(
      (await runs('--view', 'azure_consumption', '--market', 'US,DE', '--outcome', 'succeeded')).map(where),
    ).toEqual(['ingest US/azure_consumption succeeded']);
    expect((await runs('--view', 'fxrates')).map(where)).toEqual(['ingest ALL/fxrates succeeded']);
    const today = todayUtc();
    const day = (days: number) => DateTime.fromISO(today, { zone: 'utc' }).plus({ days }).toISODate() as string;
    expect(await runs('--from', today, '--to', today)).toHaveLength(5);
    expect(await runs('--to', day(-1))).toEqual([]);
    expect(await runs('--from', day(1))).toEqual([]);
  });

  it('prints a table for people, the count last', async () => {
    const { code, stdout } = await runCli(['runs', '--outcome', 'failed']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^STARTED \(UTC\) +KIND +MARKET +VIEW +AS OF +OUTCOME +READ +ADD +CHG +DEL +SECONDS +SOURCE +ERROR OR NOTE$/,
    );
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +refresh +DE +azure_consumption +\d{4}-\d\d-\d\d +failed +0 +0 +0 +0 +\d+\.\d +sample +\S/,
    );
    expect(lines[2]).toMatch(
      / ingest +US +azure_consumption +2026-11-01 +failed +2 +1 +0 +0 .* file:bad\.csv +1 of 2 rows rejected/,
    );
    expect(lines[3]).toBe('2 runs');
    expect((await runCli(['runs', '--limit', '1'])).stdout).toMatch(/\n1 runs \(the newest 1; --limit for more\)\n$/);
  });

  it.each([
    [['--outcome', 'done'], '--outcome is succeeded or failed, got "done"'],
    [['--from', '2026-11-31'], '--from must be a date YYYY-MM-DD, got "2026-11-31"'],
    [['--from', '2026-11-02', '--to', '2026-11-01'], '--from 2026-11-02 is after --to 2026-11-01'],
    [['--limit', '0'], '--limit takes a whole number from 1 to 1000, got "0"'],
    [
      ['--view', 'consumption'],
      '--view takes azure_consumption, azure_reservations, updatedlicensebased, fxrates; got "consumption"',
    ],
    [['--market', 'USA'], '--market takes two-letter codes such as US,DE; got "USA"'],
    [['US'], 'runs takes no operands; got "US"'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const { code, stderr } = await runCli(['runs', ...args]);
    expect(code).toBe(2);
    expect(stderr).toBe(`Error: ${message}\n`);
  });
});
