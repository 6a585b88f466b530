import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TableClient } from '@azure/data-tables';
import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { latestSnapshot } from '../../../shared/prices/tables/snapshots';
import { versionsOfEntity } from '../../../shared/prices/tables/versions';
import { testStorage } from '../../helpers/storage';
import { consumptionRow, fileDownload, ingestRequest, meterId, sheetCsv } from '../../helpers/priceSheets';

async function count(table: TableClient): Promise<{ entities: number; versions: number }> {
  let entities = 0;
  let versions = 0;
  try {
    for await (const e of table.listEntities()) {
      entities++;
      versions += versionsOfEntity(e).length;
    }
  } catch {
    // the table may not exist yet
  }
  return { entities, versions };
}

describe('a run killed half-way', () => {
  it('leaves nothing committed, and a re-run converges to exactly the state of an uninterrupted run', async () => {
    const { settings, storage } = testStorage({ REFRESH_LOCK_WAIT_SECONDS: '60' });
    const rows = Array.from({ length: 6000 }, (_, i) =>
      consumptionRow({ ProductId: `P${i % 40}`, MeterIds: meterId(900_000 + i), UnitPrice: `${i}.5` }),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'killed-')), 'sheet.csv');
    fs.writeFileSync(file, sheetCsv(rows));
    const prices = storage.table(storage.names.tables.prices);

    const child = spawn(
      process.execPath,
      [
        '-r',
        path.join(__dirname, '..', '..', 'helpers', 'tsRegister.js'),
        path.join(__dirname, '..', '..', 'helpers', 'ingestProcess.ts'),
        settings.AzureWebJobsStorage as string,
        settings.STORAGE_NAME_PREFIX,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)),
    );
    // Kill it as soon as it has written part of the sheet.
    let written = 0;
    for (let i = 0; i < 600 && written === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      written = (await count(prices)).entities;
    }
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);
    const partial = await count(prices);
    expect(partial.versions).toBeGreaterThan(0);
    expect(partial.versions).toBeLessThan(rows.length);
    expect(await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' })).toBeNull();

    // The killed run still holds its lease; the re-run waits for it to lapse, then finishes the job.
    const started = Date.now();
    const rerun = await ingestPriceSheet(ingestRequest(storage, settings, fileDownload(file)));
    expect(rerun.outcome).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(45_000);
    expect((await count(prices)).versions).toBe(rows.length);
    const stored = [];
    for await (const e of prices.listEntities()) stored.push(...versionsOfEntity(e));
    expect(stored.map((version) => version.unitPrice).sort()).toEqual(rows.map((row) => row.UnitPrice).sort());
    expect(
      await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' }),
    ).toMatchObject({ rows: rows.length });
  });
});
