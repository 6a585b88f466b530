import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jsonSummary, runCli } from '../../helpers/cli';
import { testSettings } from '../../helpers/storage';
import { consumptionRow, meterId, sheetCsv } from '../../helpers/priceSheets';

/** `npm run cli -- ingest`: the removal guard and the operator's confirmation. */

const settings = testSettings();

async function cli(args: string[]): Promise<{ code: number; summary: Record<string, unknown> }> {
  const run = await runCli([...args, '--json']);
  return { code: run.code, summary: jsonSummary(run.stdout) };
}

describe('cli ingest', () => {
  beforeAll(() => {
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
  });

  it('refuses a sheet that removes most prices unless --allow-mass-removal confirms it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-ingest-'));
    const rows = Array.from({ length: 10 }, () => consumptionRow({ MeterIds: meterId() }));
    const [full, tiny] = [path.join(dir, 'full.csv'), path.join(dir, 'tiny.csv')];
    fs.writeFileSync(full, sheetCsv(rows));
    fs.writeFileSync(tiny, sheetCsv(rows.slice(0, 1)));
    expect((await cli(['ingest', full, '--as-of', '2026-11-01'])).code).toBe(0);

    const refused = await cli(['ingest', tiny, '--as-of', '2026-11-02']);
    expect(refused.code).toBe(2);
    expect(JSON.stringify(refused.summary)).toMatch(/would remove 9 of the 10 prices/);
    const confirmed = await cli(['ingest', tiny, '--as-of', '2026-11-02', '--allow-mass-removal']);
    expect(confirmed.code).toBe(0);
    expect(confirmed.summary).toMatchObject({ ok: true, removed: 9 });
  });
});
