import { loadSettings } from '../../shared/config/settings';
import { ingestPriceSheet } from '../../shared/prices/ingest';
import { createStorageClients } from '../../shared/storage/clients';
import { fileDownload, ingestRequest } from './priceSheets';

/** An ingest in a process of its own, for the test that kills it half-way (see killedRun.test.ts). */
const [connection, prefix, file] = process.argv.slice(2);
const settings = loadSettings({
  AzureWebJobsStorage: connection,
  STORAGE_NAME_PREFIX: prefix,
  TABLE_WRITE_CONCURRENCY: '1',
});
void ingestPriceSheet(ingestRequest(createStorageClients(settings), settings, fileDownload(file))).then((run) =>
  process.stdout.write(`${run.outcome}\n`),
);
