import { loadSettings } from '../../shared/config/settings';
import { createLogger, memorySink } from '../../shared/observability/logger';
import { ingestPriceSheet } from '../../shared/prices/ingest';
import { runNotifications } from '../../shared/notifications/worker';
import { createStorageClients } from '../../shared/storage/clients';
import { fileDownload, ingestRequest } from './priceSheets';

/**
 * An ingest followed by the notification worker in a process of its own, for the tests that kill it
 * between the commit and the deliveries (notifications.killed.test.ts). Prints `committed` once the
 * snapshot is committed; with `pause`, waits there (to be killed before anything is sent).
 */
const [connection, prefix, file, asOf, mode] = process.argv.slice(2);
const settings = loadSettings({
  AzureWebJobsStorage: connection,
  STORAGE_NAME_PREFIX: prefix,
  NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
  NOTIFY_BATCH_SIZE: '2',
});
const storage = createStorageClients(settings);

async function main(): Promise<void> {
  const run = await ingestPriceSheet(ingestRequest(storage, settings, fileDownload(file), { asOf }));
  process.stdout.write(`${run.outcome === 'succeeded' ? 'committed' : run.outcome}\n`);
  if (mode === 'pause') await new Promise((resolve) => setTimeout(resolve, 60_000));
  await runNotifications({ storage, settings, logger: createLogger(memorySink()) });
  process.stdout.write('done\n');
}

void main();
