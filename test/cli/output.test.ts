import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consoleIO } from '../../cli/io';
import { captured, runCli } from '../helpers/cli';
import { consumptionRow, meterId, sheetCsv } from '../helpers/priceSheets';
import { testSettings } from '../helpers/storage';

/** --quiet and --verbose, and log lines printed while a progress bar is on screen. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-output-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sheet(name: string, prices: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    sheetCsv(prices.map((price, i) => consumptionRow({ MeterIds: meterId(0x6100 + i), UnitPrice: price }))),
  );
  return file;
}

describe('verbosity', () => {
  beforeAll(() => {
    const settings = testSettings();
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  });

  it('--quiet prints the summary and errors only; --verbose adds debug lines', async () => {
    const good = sheet('good.csv', ['1.5', '2.5']);
    const normal = await runCli(['ingest', good, '--as-of', '2026-11-01']);
    expect(normal.code).toBe(0);
    // The pipeline's log lines (a run summary event among them), no debug line.
    expect(normal.stderr).toMatch(/^\{"level":"event","message":"PriceIngestRun"/m);
    expect(normal.stderr).not.toMatch(/^Storage: /m);

    const quiet = await runCli(['ingest', good, '--as-of', '2026-11-02', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^ingest good\.csv \(US\/azure_consumption 2026-11-02\): 1 of 1 succeeded — read 2, /);

    const verbose = await runCli(['ingest', good, '--as-of', '2026-11-03', '--verbose']);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(
      /^Storage: tables at http:\/\/127\.0\.0\.1:\d+ \(connection-string\), names prefixed "t[0-9a-f]+"$/m,
    );
    expect(verbose.stderr).toContain('"level":"event"');
    // The connection string's key is never printed, debug or not.
    expect(verbose.stderr).not.toContain('AccountKey');

    const bad = sheet('bad.csv', ['1.5', 'abc']);
    const failed = await runCli(['ingest', bad, '--as-of', '2026-11-04', '--quiet']);
    expect(failed.code).toBe(2);
    const lines = failed.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatch(/^(\{"level":"error"|US\/azure_consumption: FAILED — 1 of 2 rows rejected)/);
  });
});

describe('progress on a terminal', () => {
  const tty = process.stderr.isTTY;
  beforeAll(() => (process.stderr.isTTY = true));
  afterAll(() => (process.stderr.isTTY = tty));

  it('prints log lines above the bar, whole, and redraws the bar below them', async () => {
    const { stderr } = await captured(async () => {
      const io = consoleIO(false);
      const bar = io.progress('rows', 10);
      bar.update(3);
      // Long enough for a redraw: the bar is on screen when the line comes.
      await new Promise((resolve) => setTimeout(resolve, 250));
      io.log('a line while the bar runs');
      await new Promise((resolve) => setTimeout(resolve, 250));
      bar.update(7);
      io.log('a line just before the end', 'warn');
      bar.stop();
    });
    // Terminal control sequences (ESC [ … letter), written ⟨…⟩ to be matched.
    const shown = stderr.replace(new RegExp(`${String.fromCharCode(27)}\\[([0-9;?]*[A-Za-z])`, 'g'), '⟨$1⟩');
    const [before, after] = shown.split('a line while the bar runs\n');
    expect(before).toContain('rows [');
    // The bar's line was cleared (ESC [2K) right before the log line took its place…
    expect(before).toMatch(/⟨2K⟩$/);
    // …and the bar came back below it; the last line reached the screen before the bar ended.
    expect(after).toMatch(/^(⟨[^⟩]*⟩)*rows \[/);
    expect(after).toContain('a line just before the end\n');
    expect(shown.lastIndexOf('rows [')).toBeGreaterThan(shown.indexOf('a line just before the end\n'));
  });

  it('shows no bar with --quiet, nor with --json', async () => {
    for (const io of [consoleIO(false, 'quiet'), consoleIO(true)]) {
      const { stderr } = await captured(async () => {
        const bar = io.progress('rows', 10);
        bar.update(5);
        await new Promise((resolve) => setTimeout(resolve, 150));
        bar.stop();
      });
      expect(stderr).toBe('');
    }
  });
});
