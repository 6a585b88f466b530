import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { loadSettings } from '../../../shared/config/settings';
import {
  DEV_ACCOUNT,
  createStorageClients,
  emulatorConnectionString,
  storageConfigured,
} from '../../../shared/storage/clients';

/**
 * createStorageClients has one code path for the two ways to reach storage: a connection string (local,
 * Azurite) and identity-based settings (Azure: managed identity; CLI: DefaultAzureCredential). These tests
 * check that each resolves to the right endpoints and authenticates with the right credential.
 */

class FakeCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    this.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    // Stop the request here: it proves the client asked this credential, without any network.
    throw new CredentialUsed();
  }
}
class CredentialUsed extends Error {
  constructor() {
    super('fake credential was asked for a token');
    this.name = 'CredentialUsed';
  }
}

const IDENTITY = {
  AzureWebJobsStorage__blobServiceUri: 'https://stexample.blob.core.windows.net',
  AzureWebJobsStorage__queueServiceUri: 'https://stexample.queue.core.windows.net',
  AzureWebJobsStorage__tableServiceUri: 'https://stexample.table.core.windows.net',
  AzureWebJobsStorage__credential: 'managedidentity',
  AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-0000000000c1',
};

const origin = (url: string) => new URL(url).origin;

describe('identity-based settings', () => {
  it('resolves the configured endpoints and uses the supplied credential for blobs and tables', async () => {
    const settings = loadSettings(IDENTITY);
    expect(storageConfigured(settings)).toBe(true);
    const credential = new FakeCredential();
    const clients = createStorageClients(settings, credential);
    expect(clients.mode).toBe('identity');
    expect(origin(clients.blobs.url)).toBe(IDENTITY.AzureWebJobsStorage__blobServiceUri);
    expect(origin(clients.tableService.url)).toBe(IDENTITY.AzureWebJobsStorage__tableServiceUri);
    expect(origin(clients.queues.url)).toBe(IDENTITY.AzureWebJobsStorage__queueServiceUri);
    const runs = clients.table(clients.names.tables.runs);
    expect(origin(runs.url)).toBe(IDENTITY.AzureWebJobsStorage__tableServiceUri);
    expect(runs.tableName).toBe('runs');
    expect(clients.blobs.credential).toBe(credential);

    await expect(clients.blobs.getContainerClient('price-uploads').exists()).rejects.toThrow(CredentialUsed);
    await expect(runs.getEntity('p', 'r')).rejects.toThrow(CredentialUsed);
    await expect(clients.tableService.listTables().next()).rejects.toThrow(CredentialUsed);
    await expect(clients.queues.getQueueClient('price-refresh').sendMessage('e30=')).rejects.toThrow(CredentialUsed);
    // Storage's Entra ID scope, asked by both SDKs.
    expect(credential.scopes.length).toBeGreaterThanOrEqual(3);
    for (const scopes of credential.scopes) expect(scopes).toEqual(['https://storage.azure.com/.default']);
  });

  it('applies the storage name prefix to tables and containers', () => {
    const clients = createStorageClients(
      loadSettings({ ...IDENTITY, STORAGE_NAME_PREFIX: 'abc' }),
      new FakeCredential(),
    );
    expect(clients.names.tables.runs).toBe('abcruns');
    expect(clients.names.containers.priceUploads).toBe('abc-price-uploads');
  });

  it('derives the public endpoints from the account name alone (the CLI against a deployed account)', () => {
    const clients = createStorageClients(
      loadSettings({ AzureWebJobsStorage__accountName: 'stexample' }),
      new FakeCredential(),
    );
    expect(origin(clients.blobs.url)).toBe('https://stexample.blob.core.windows.net');
    expect(origin(clients.tableService.url)).toBe('https://stexample.table.core.windows.net');
  });

  it('builds a managed identity credential in Azure (__credential=managedidentity)', () => {
    const clients = createStorageClients(loadSettings(IDENTITY));
    expect(clients.blobs.credential).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('falls back to DefaultAzureCredential (az login) when no credential setting is given', () => {
    const { AzureWebJobsStorage__credential: _omitted, ...rest } = IDENTITY;
    const clients = createStorageClients(loadSettings(rest));
    expect(clients.blobs.credential).toBeInstanceOf(DefaultAzureCredential);
  });

  it('refuses half a configuration with a message naming the settings', () => {
    expect(() =>
      createStorageClients(
        loadSettings({ AzureWebJobsStorage__blobServiceUri: IDENTITY.AzureWebJobsStorage__blobServiceUri }),
        new FakeCredential(),
      ),
    ).toThrow(/AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri/);
  });
});

describe('connection string', () => {
  it('takes the endpoints and the shared key from the string', () => {
    const conn = emulatorConnectionString('127.0.0.1', { blob: 41100, queue: 41101, table: 41102 });
    const clients = createStorageClients(loadSettings({ AzureWebJobsStorage: conn }));
    expect(clients.mode).toBe('connection-string');
    expect(clients.blobs.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:41100/${DEV_ACCOUNT}/?$`));
    expect(clients.tableService.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:41102/${DEV_ACCOUNT}/?$`));
    expect(clients.table('runs').url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:41102/${DEV_ACCOUNT}/?$`));
    expect(clients.blobs.credential).toBeInstanceOf(StorageSharedKeyCredential);
    expect((clients.blobs.credential as StorageSharedKeyCredential).accountName).toBe(DEV_ACCOUNT);
  });

  it('wins over identity settings when both are present (local runs keep working with a copied Azure config)', () => {
    const conn = emulatorConnectionString('127.0.0.1', { blob: 41100, queue: 41101, table: 41102 });
    const clients = createStorageClients(
      loadSettings({ ...IDENTITY, AzureWebJobsStorage: conn }),
      new FakeCredential(),
    );
    expect(clients.mode).toBe('connection-string');
    expect(clients.blobs.url).toContain('127.0.0.1:41100');
  });

  it("reaches the suite's Azurite", async () => {
    const conn = process.env.TEST_STORAGE_CONNECTION;
    if (!conn) throw new Error('TEST_STORAGE_CONNECTION is not set: run with jest (globalSetup starts Azurite)');
    const clients = createStorageClients(
      loadSettings({ AzureWebJobsStorage: conn, STORAGE_NAME_PREFIX: `c${Date.now().toString(36)}` }),
    );
    const container = clients.blobs.getContainerClient(clients.names.containers.locks);
    await container.createIfNotExists();
    expect(await container.exists()).toBe(true);
    const table = clients.table(clients.names.tables.runs);
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', ok: true });
    expect((await table.getEntity<{ ok: boolean }>('p', 'r')).ok).toBe(true);
    await table.deleteTable();
    await container.delete();
  });
});
