import { loadSettings } from '../../shared/config/settings';
import { ingestPriceSheet } from '../../shared/prices/ingest';
import { createStorageClients } from '../../shared/storage/clients';
import { fileDownload, ingestRequest } from './priceSheets';

/** An ingest in a process of its own, for the tests that kill it half-way (see ingest.killed.test.ts). */
const [connection, prefix, file, asOf] = process.argv.slice(2);
const settings = loadSettings({
  AzureWebJobsStorage: connection,
  STORAGE_NAME_PREFIX: prefix,
  TABLE_WRITE_CONCURRENCY: '1',
});
const overrides = asOf ? { asOf } : {};
void ingestPriceSheet(ingestRequest(createStorageClients(settings), settings, fileDownload(file), overrides)).then(
  (run) => process.stdout.write(`${run.outcome}\n`),
);
