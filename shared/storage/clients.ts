import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TableClient, TableServiceClient } from '@azure/data-tables';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import type { Settings } from '../config/settings';
import { storageNames, type StorageNames } from './names';
import { blobsSdk, identitySdk, queuesSdk, tablesSdk } from './sdk';

/** The well-known development account of the storage emulator (public, not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

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

/**
 * Reads on the request path (HTTP endpoints): a caller waits, so a short retry (a dropped connection,
 * a moment of throttling) and then a clear answer; the ingest's patience would keep it a minute.
 */
const REQUEST_RETRIES = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 };

/** Storage did not answer in time or could not be reached: the request path answers 503, never the cause. */
class StorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * True for a failure of storage itself (unreachable, timed out, 5xx after the retries) rather than
 * of the request: what the HTTP API answers with 503 and Retry-After.
 */
export function isStorageUnavailable(e: unknown): boolean {
  if (e instanceof StorageUnavailableError) return true;
  const error = e as { name?: string; statusCode?: number } | null;
  return error?.name === 'RestError' && (error.statusCode === undefined || error.statusCode >= 500);
}

/** One deadline over a whole call, all its retries included (a per-call policy runs outside the retry policy). */
function deadlinePolicy(deadlineMs: number): PipelinePolicy {
  return {
    name: 'requestDeadline',
    async sendRequest(request, next) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), deadlineMs);
      const callers = request.abortSignal as AbortSignal | undefined;
      request.abortSignal = callers ? AbortSignal.any([callers, deadline.signal]) : deadline.signal;
      try {
        return await next(request);
      } catch (e) {
        if (deadline.signal.aborted && !callers?.aborted)
          throw new StorageUnavailableError(`storage did not answer within ${deadlineMs} ms`);
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** For the request path: give up on a storage call after this long, retries included. */
export interface RequestPath {
  deadlineMs: number;
}

export interface StorageClients {
  names: StorageNames;
  blobs: BlobServiceClient;
  tableService: TableServiceClient;
  table(name: string): TableClient;
  /** Storage queues (shared/storage/queues.ts sends and receives on them). */
  queues: QueueServiceClient;
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
export function createStorageClients(
  settings: Settings,
  credential?: TokenCredential,
  requestPath?: RequestPath,
): StorageClients {
  const names = storageNames(settings.STORAGE_NAME_PREFIX);
  const tableOptions = requestPath
    ? {
        retryOptions: REQUEST_RETRIES,
        additionalPolicies: [{ policy: deadlinePolicy(requestPath.deadlineMs), position: 'perCall' as const }],
      }
    : TABLE_OPTIONS;
  const blobOptions = requestPath
    ? {
        retryOptions: {
          maxTries: REQUEST_RETRIES.maxRetries + 1,
          tryTimeoutInMs: requestPath.deadlineMs,
          retryDelayInMs: REQUEST_RETRIES.retryDelayInMs,
          maxRetryDelayInMs: REQUEST_RETRIES.maxRetryDelayInMs,
        },
      }
    : {};
  const { TableClient, TableServiceClient } = tablesSdk();
  const { BlobServiceClient } = blobsSdk();
  const { QueueServiceClient } = queuesSdk();
  const conn = settings.AzureWebJobsStorage;
  if (conn) {
    const tableService = TableServiceClient.fromConnectionString(conn, {
      ...tableOptions,
      allowInsecureConnection: true,
    });
    return {
      names,
      mode: 'connection-string',
      blobs: BlobServiceClient.fromConnectionString(conn, blobOptions),
      queues: QueueServiceClient.fromConnectionString(conn, blobOptions),
      tableService,
      table: reuse((name) =>
        TableClient.fromConnectionString(conn, name, { ...tableOptions, allowInsecureConnection: true }),
      ),
    };
  }
  const account = settings.AzureWebJobsStorage__accountName;
  const blobUri =
    settings.AzureWebJobsStorage__blobServiceUri ?? (account && `https://${account}.blob.core.windows.net`);
  const tableUri =
    settings.AzureWebJobsStorage__tableServiceUri ?? (account && `https://${account}.table.core.windows.net`);
  const queueUri =
    settings.AzureWebJobsStorage__queueServiceUri ?? (account && `https://${account}.queue.core.windows.net`);
  if (!blobUri || !tableUri || !queueUri) {
    throw new Error(
      'Storage is not configured: set AzureWebJobsStorage (connection string) or AzureWebJobsStorage__blobServiceUri, ' +
        'AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri (identity).',
    );
  }
  const cred = credential ?? identityCredential(settings);
  return {
    names,
    mode: 'identity',
    blobs: new BlobServiceClient(blobUri, cred, blobOptions),
    queues: new QueueServiceClient(queueUri, cred, blobOptions),
    tableService: new TableServiceClient(tableUri, cred, tableOptions),
    table: reuse((name) => new TableClient(tableUri, name, cred, tableOptions)),
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

/** The app's identity: the user-assigned managed identity in Azure, `az login` and the like elsewhere. */
export function identityCredential(settings: Settings): TokenCredential {
  const { DefaultAzureCredential, ManagedIdentityCredential } = identitySdk();
  if (settings.AzureWebJobsStorage__credential === 'managedidentity') {
    const clientId = settings.AzureWebJobsStorage__clientId;
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  // Operators running the CLI against a deployed account sign in with `az login`.
  return new DefaultAzureCredential({ managedIdentityClientId: settings.AzureWebJobsStorage__clientId });
}
