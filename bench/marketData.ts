import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Settings } from '../shared/config/settings';
import type { Logger, LogSink } from '../shared/observability/logger';
import { createLogger } from '../shared/observability/logger';
import { ingestPriceSheet } from '../shared/prices/ingest';
import { ingestRates } from '../shared/rates/ingest';
import type { StorageClients } from '../shared/storage/clients';
import { writeSyntheticSheet } from './syntheticSheet';

/** The data the benchmarks stand on: a synthetic US consumption market and one month's rates. */

export const silent: LogSink = { info: () => {}, warn: () => {}, error: () => {} };

/** Writes the synthetic sheet (seed 7) and ingests it as of the day through the one pipeline. */
export async function ingestSyntheticSheet(
  bench: { storage: StorageClients; logger: Logger },
  settings: Settings,
  file: string,
  rows: number,
  asOf: string,
): Promise<void> {
  await writeSyntheticSheet(file, { rows, seed: 7 });
  await ingestBenchSheet(bench, settings, file, asOf);
}

/** Ingests a sheet file as the US consumption list of the day, as an upload or the CLI would; throws unless it succeeds. */
export async function ingestBenchSheet(
  { storage, logger }: { storage: StorageClients; logger: Logger },
  settings: Settings,
  file: string,
  asOf: string,
): Promise<void> {
  const run = await ingestPriceSheet({
    storage,
    settings,
    logger,
    open: async () => ({ body: fs.createReadStream(file), format: 'partnercenter-csv', origin: 'bench' }),
    kind: 'ingest',
    source: 'bench',
    market: 'US',
    view: 'azure_consumption',
    timeline: 'current',
    asOf,
  });
  if (run.outcome !== 'succeeded') throw new Error(`loading the sheet of ${asOf} failed: ${run.error ?? run.outcome}`);
}

/** EUR and GBP rates of the day's month, as a Partner Center FX file. */
export async function benchRates(storage: StorageClients, settings: Settings, asOf: string): Promise<void> {
  const month = asOf.slice(0, 7).replace('-', '');
  const csv = `"CurrencyCode","USDPerUnit","Month"\r\n"EUR","1.0867","${month}"\r\n"GBP","1.26543210987654321","${month}"\r\n`;
  const run = await ingestRates({
    storage,
    settings,
    logger: createLogger(silent),
    open: async () => ({ body: Readable.from([Buffer.from(csv)]), origin: 'bench' }),
    kind: 'ingest',
    source: 'bench',
    asOf,
  });
  if (run.outcome !== 'succeeded') throw new Error(`loading the rates failed: ${run.error}`);
}
