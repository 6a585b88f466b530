import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, startAzurite } from '../runtime/azurite';
import { loadSettings } from '../shared/config/settings';
import { createLogger } from '../shared/observability/logger';
import { createStorageClients } from '../shared/storage/clients';
import { putRule } from '../shared/quotes/ruleStore';
import { ruleBodySchema, ruleOf } from '../shared/quotes/rule';
import { HEAP_FLAGS } from './heap';
import { benchRates, ingestSyntheticSheet, silent } from './marketData';

const run = promisify(execFile);
const CHILD_OUTPUT_BYTES = 1 << 20;
const DATE = '2026-11-01';

interface ChildExport {
  mode: string;
  durationMs: number;
  rows: number;
  entities: number;
  bytes: number;
  maxRssMB: number;
}

/**
 * Export benchmark: a 200,000-row market (unless --rows says) exported to CSV and to xlsx, converted to
 * EUR with a customer's rule, each in a child process with the deployed heap limit (rows/s and peak
 * RSS), against a raw table scan of the same market and view in the same kind of process.
 */
export async function runExportBench(options: { rows?: number; workDir: string }): Promise<Record<string, unknown>> {
  const rows = options.rows ?? 200_000;
  const azurite = await startAzurite({
    ports: { blob: await freePort(), queue: await freePort(), table: await freePort() },
  });
  try {
    const settings = loadSettings({ AzureWebJobsStorage: azurite.connectionString, STORAGE_NAME_PREFIX: 'export' });
    const storage = createStorageClients(settings);
    const file = path.join(options.workDir, `export-sheet-${rows}.csv`);
    await ingestSyntheticSheet({ storage, logger: createLogger(silent) }, settings, file, rows, DATE);
    await benchRates(storage, settings, DATE);
    await putRule(
      storage,
      ruleOf(
        'bench-customer',
        ruleBodySchema.parse({
          scope: { customer: 'bench-customer' },
          adjustment: { type: 'markupPercent', percent: '12.5' },
          validFrom: '2026-01-01',
        }),
      ),
    );
    const child = async (mode: string): Promise<ChildExport> => {
      const out = path.join(options.workDir, `export-${rows}.${mode}`);
      const { stdout } = await run(
        process.execPath,
        [
          ...HEAP_FLAGS,
          path.join(__dirname, 'exportChild.js'),
          '--mode',
          mode,
          '--connection',
          azurite.connectionString,
          '--prefix',
          'export',
          '--out',
          out,
          '--date',
          DATE,
        ],
        { maxBuffer: CHILD_OUTPUT_BYTES },
      );
      await fs.promises.rm(out, { force: true });
      return JSON.parse(stdout.trim().split('\n').pop() as string) as ChildExport;
    };
    const scan = await child('scan');
    const csv = await child('csv');
    const xlsx = await child('xlsx');
    const perSecond = (result: ChildExport) => Math.round(rows / (result.durationMs / 1000));
    const report = (result: ChildExport) => ({
      seconds: result.durationMs / 1000,
      rowsPerSecond: perSecond(result),
      rowsWritten: result.rows,
      fileMB: Math.round(result.bytes / 1e5) / 10,
      peakRssMB: result.maxRssMB,
      vsScan: Math.round((perSecond(result) / perSecond(scan)) * 100) / 100,
    });
    return {
      rows,
      rawTableScan: {
        seconds: scan.durationMs / 1000,
        rowsPerSecond: perSecond(scan),
        entities: scan.entities,
        peakRssMB: scan.maxRssMB,
      },
      csv: report(csv),
      xlsx: report(xlsx),
      note: 'each in its own process with --max-old-space-size=160; rows/s counts the sheet rows of the market (the scan reads their entities)',
    };
  } finally {
    await azurite.stop();
  }
}
