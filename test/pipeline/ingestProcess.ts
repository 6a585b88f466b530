import fs from 'node:fs';
import { loadSettings } from '../../shared/config/settings';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { ingestPriceSheet } from '../../shared/pipeline/priceIngest';
import { createStorageClients } from '../../shared/storage/clients';

/** An ingest in a process of its own, for the test that kills it half-way (see killedRun.test.ts). */
const [connection, prefix, file] = process.argv.slice(2);
const settings = loadSettings({ AzureWebJobsStorage: connection, STORAGE_NAME_PREFIX: prefix, TABLE_WRITE_CONCURRENCY: '1' });
ingestPriceSheet({
  storage: createStorageClients(settings),
  settings,
  logger: createLogger(memorySink()),
  open: async () => ({ body: fs.createReadStream(file), format: 'partnercenter-csv', origin: 'test' }),
  kind: 'ingest',
  source: 'test',
  market: 'US',
  view: 'azure_consumption',
  timeline: 'current',
  asOf: '2026-11-01',
}).then((run) => process.stdout.write(`${run.outcome}\n`));
