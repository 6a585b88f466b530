import { startLatencyProxy, type LatencyProxy } from '../../bench/latencyProxy';
import { loadSettings } from '../../shared/config/settings';
import { createStorageClients, emulatorConnectionString } from '../../shared/storage/clients';
import { ensureStorage } from '../../shared/storage/ensure';
import { testSettings } from '../helpers/storage';

/** The benchmark's proxy in front of the suite's Azurite: entities go through it unchanged, each request later. */

const DELAY_MS = 60;
const settings = testSettings();
function endpoint(name: 'Blob' | 'Queue' | 'Table'): URL {
  const match = new RegExp(`${name}Endpoint=([^;]+)`).exec(settings.AzureWebJobsStorage ?? '');
  if (!match) throw new Error(`no ${name}Endpoint in the test connection string`);
  return new URL(match[1]);
}
let proxies: LatencyProxy[] = [];

afterAll(() => Promise.all(proxies.map((proxy) => proxy.close())));

it('forwards table and blob requests, each held for the delay', async () => {
  const [blob, table] = await Promise.all(
    (['Blob', 'Table'] as const).map((name) =>
      startLatencyProxy({ host: endpoint(name).hostname, port: Number(endpoint(name).port) }, DELAY_MS),
    ),
  );
  proxies = [blob, table];
  const proxied = createStorageClients(
    loadSettings({
      AzureWebJobsStorage: emulatorConnectionString('127.0.0.1', {
        blob: blob.port,
        queue: Number(endpoint('Queue').port),
        table: table.port,
      }),
      STORAGE_NAME_PREFIX: settings.STORAGE_NAME_PREFIX,
    }),
  );
  const direct = createStorageClients(settings);
  await ensureStorage(proxied);

  const tableName = direct.names.tables.prices;
  const started = Date.now();
  await proxied.table(tableName).upsertEntity({ partitionKey: 'p', rowKey: 'r', price: '0.096000' }, 'Replace');
  expect(Date.now() - started).toBeGreaterThanOrEqual(DELAY_MS);
  expect(await direct.table(tableName).getEntity('p', 'r')).toMatchObject({ price: '0.096000' });

  const container = direct.blobs.getContainerClient(direct.names.containers.archive);
  await proxied.blobs.getContainerClient(container.containerName).getBlockBlobClient('a.txt').upload('abc', 3);
  expect((await container.getBlockBlobClient('a.txt').downloadToBuffer()).toString()).toBe('abc');
});
