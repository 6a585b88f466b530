import type { TokenCredential } from '@azure/core-auth';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import type { Settings } from '../config/settings';
import { storageNames, type StorageNames } from './names';

/** The well-known development account of the storage emulator (public, not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The emulator's connection string; `https` for an Azurite started with a certificate. */
export function emulatorConnectionString(
  host: string,
  ports: { blob: number; queue: number; table: number },
  protocol: 'http' | 'https' = 'http',
): string {
  return [
    `DefaultEndpointsProtocol=${protocol}`,
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_KEY}`,
    `BlobEndpoint=${protocol}://${host}:${ports.blob}/${DEV_ACCOUNT}`,
    `QueueEndpoint=${protocol}://${host}:${ports.queue}/${DEV_ACCOUNT}`,
    `TableEndpoint=${protocol}://${host}:${ports.table}/${DEV_ACCOUNT}`,
  ].join(';');
}

/**
 * Table writes back off on 429/503 (and 5xx, connection errors) with the SDK's exponential retry
 * policy, honouring Retry-After; more patient than its default of 3 tries, because a large ingest
 * can meet throttling for a while (~2,000 entities/s per partition, ~20,000 per account).
 */
const TABLE_OPTIONS = { retryOptions: { maxRetries: 8, retryDelayInMs: 500, maxRetryDelayInMs: 30_000 } };

export interface StorageClients {
  names: StorageNames;
  blobs: BlobServiceClient;
  tableService: TableServiceClient;
  table(name: string): TableClient;
  /** How the clients authenticate: for logs and the health endpoint, never the secret itself. */
  mode: 'connection-string' | 'identity';
}

/** True when the settings name a storage account (otherwise the local commands start the emulator). */
export function storageConfigured(settings: Settings): boolean {
  return Boolean(
    settings.AzureWebJobsStorage ||
    settings.AzureWebJobsStorage__blobServiceUri ||
    settings.AzureWebJobsStorage__accountName,
  );
}

/**
 * One code path for both ways the Functions host itself connects: a connection string
 * (`AzureWebJobsStorage`, used locally with the emulator) or identity-based settings
 * (`AzureWebJobsStorage__blobServiceUri` / `__tableServiceUri` / `__credential` / `__clientId`, used in Azure).
 */
export function createStorageClients(settings: Settings, credential?: TokenCredential): StorageClients {
  const names = storageNames(settings.STORAGE_NAME_PREFIX);
  const conn = settings.AzureWebJobsStorage;
  if (conn) {
    const tableService = TableServiceClient.fromConnectionString(conn, {
      ...TABLE_OPTIONS,
      allowInsecureConnection: true,
    });
    return {
      names,
      mode: 'connection-string',
      blobs: BlobServiceClient.fromConnectionString(conn),
      tableService,
      table: reuse((name) =>
        TableClient.fromConnectionString(conn, name, { ...TABLE_OPTIONS, allowInsecureConnection: true }),
      ),
    };
  }
  const account = settings.AzureWebJobsStorage__accountName;
  const blobUri =
    settings.AzureWebJobsStorage__blobServiceUri ?? (account && `https://${account}.blob.core.windows.net`);
  const tableUri =
    settings.AzureWebJobsStorage__tableServiceUri ?? (account && `https://${account}.table.core.windows.net`);
  if (!blobUri || !tableUri) {
    throw new Error(
      'Storage is not configured: set AzureWebJobsStorage (connection string) ' +
        'or AzureWebJobsStorage__blobServiceUri and AzureWebJobsStorage__tableServiceUri (identity).',
    );
  }
  const cred = credential ?? identityCredential(settings);
  return {
    names,
    mode: 'identity',
    blobs: new BlobServiceClient(blobUri, cred),
    tableService: new TableServiceClient(tableUri, cred, TABLE_OPTIONS),
    table: reuse((name) => new TableClient(tableUri, name, cred, TABLE_OPTIONS)),
  };
}

/** One client per table for the life of the process: each request reuses its pipeline and connections. */
function reuse(create: (name: string) => TableClient): (name: string) => TableClient {
  const clients = new Map<string, TableClient>();
  return (name) => {
    let client = clients.get(name);
    if (!client) clients.set(name, (client = create(name)));
    return client;
  };
}

function identityCredential(settings: Settings): TokenCredential {
  if (settings.AzureWebJobsStorage__credential === 'managedidentity') {
    const clientId = settings.AzureWebJobsStorage__clientId;
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  // Operators running the CLI against a deployed account sign in with `az login`.
  return new DefaultAzureCredential({ managedIdentityClientId: settings.AzureWebJobsStorage__clientId });
}
