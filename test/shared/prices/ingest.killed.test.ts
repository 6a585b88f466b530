import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TableClient } from '@azure/data-tables';
import { ingestPriceSheet } from '../../../shared/prices/ingest';
import { latestSnapshot } from '../../../shared/prices/tables/snapshots';
import { readCommittedRuns } from '../../../shared/prices/tables/committedRuns';
import { lookupPrices, type LookupCursor } from '../../../shared/prices/lookup';
import type { Settings } from '../../../shared/config/settings';
import type { StorageClients } from '../../../shared/storage/clients';
import { versionsOfEntity } from '../../../shared/prices/tables/versions';
import { asWritten, testStorage } from '../../helpers/storage';
import {
  consumptionRow,
  fileDownload,
  ingestRequest,
  meterId,
  sheetCsv,
  type SheetRow,
} from '../../helpers/priceSheets';

async function count(table: TableClient): Promise<{ entities: number; versions: number }> {
  let entities = 0;
  let versions = 0;
  try {
    for await (const e of table.listEntities()) {
      entities++;
      versions += versionsOfEntity(e, asWritten).length;
    }
  } catch {
    // the table may not exist yet
  }
  return { entities, versions };
}

/** Starts an ingest of the file in a child process, to be killed. */
function ingestChild(settings: Settings, file: string, asOf?: string) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(__dirname, '..', '..', 'helpers', 'tsRegister.js'),
      path.join(__dirname, '..', '..', 'helpers', 'ingestProcess.ts'),
      settings.AzureWebJobsStorage as string,
      settings.STORAGE_NAME_PREFIX,
      file,
      ...(asOf ? [asOf] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)),
  );
  return { child, exited };
}

/** Everything /api/prices serves for US consumption at noon of the day: every page of the listing. */
async function served(storage: StorageClients, day: string): Promise<string[]> {
  const prices: string[] = [];
  let cursor: LookupCursor | undefined;
  do {
    const page = await lookupPrices(storage, {
      market: 'US',
      view: 'azure_consumption',
      instant: `${day}T12:00:00.0000000Z`,
      top: 1000,
      cursor,
    });
    prices.push(...page.versions.map((version) => `${version.meterId} ${version.unitPrice}`));
    cursor = page.next ?? undefined;
  } while (cursor);
  return prices.sort();
}

/** Entities written by a run that has not committed (a pending state of a run without a snapshot). */
async function uncommittedWrites(storage: StorageClients): Promise<number> {
  const committed = await readCommittedRuns(storage, 'US', 'azure_consumption');
  let count = 0;
  const table = storage.table(storage.names.tables.prices);
  for await (const e of table.listEntities({ queryOptions: { select: ['pendingRun'] } }))
    if (typeof e.pendingRun === 'string' && !committed.has(e.pendingRun)) count++;
  return count;
}

describe('a run killed half-way', () => {
  it('changes no answer before its snapshot commits, and a killed run leaves them exactly as before', async () => {
    const { settings, storage } = testStorage({ REFRESH_LOCK_WAIT_SECONDS: '60' });
    // Small enough for its update run (each meter document is read before it is written) to be caught.
    const meters = Array.from({ length: 1500 }, (_, i) => meterId(800_000 + i));
    const first = meters.map((id, i) => consumptionRow({ ProductId: `P${i % 40}`, MeterIds: id, UnitPrice: `${i}.5` }));
    // The next day: every price changed, a tenth of the meters gone and as many new ones.
    const second = first
      .slice(150)
      .map((row): SheetRow => ({ ...row, UnitPrice: `${row.UnitPrice}1` }))
      .concat(Array.from({ length: 150 }, (_, i) => consumptionRow({ MeterIds: meterId(810_000 + i) })));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'killed-'));
    const [firstFile, secondFile] = [path.join(dir, 'first.csv'), path.join(dir, 'second.csv')];
    fs.writeFileSync(firstFile, sheetCsv(first));
    fs.writeFileSync(secondFile, sheetCsv(second));
    expect((await ingestPriceSheet(ingestRequest(storage, settings, fileDownload(firstFile)))).outcome).toBe(
      'succeeded',
    );
    const before = await served(storage, '2026-11-02');
    expect(before).toHaveLength(first.length);

    const { child, exited } = ingestChild(settings, secondFile, '2026-11-02');
    let pending = 0;
    for (let i = 0; i < 600 && pending === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      pending = await uncommittedWrites(storage);
    }
    expect(pending).toBeGreaterThan(0);
    // During the run: its writes are in the table, and nothing served changed.
    expect(await served(storage, '2026-11-02')).toEqual(before);
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);
    expect(await served(storage, '2026-11-02')).toEqual(before);
    expect(await served(storage, '2026-11-01')).toEqual(before);

    const rerun = await ingestPriceSheet(
      ingestRequest(storage, settings, fileDownload(secondFile), { asOf: '2026-11-02' }),
    );
    expect(rerun.outcome).toBe('succeeded');
    expect(await served(storage, '2026-11-02')).toEqual(second.map((row) => `${row.MeterIds} ${row.UnitPrice}`).sort());
  }, 180_000);

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
    for await (const e of prices.listEntities()) stored.push(...versionsOfEntity(e, asWritten));
    expect(stored.map((version) => version.unitPrice).sort()).toEqual(rows.map((row) => row.UnitPrice).sort());
    expect(
      await latestSnapshot(storage, { market: 'US', view: 'azure_consumption', timeline: 'current' }),
    ).toMatchObject({ rows: rows.length });
  });
});
