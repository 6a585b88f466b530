import { randomBytes } from 'node:crypto';
import type { BlobServiceClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { loadSettings, type Settings } from '../../shared/config/settings';
import { createStorageClients, type StorageClients } from '../../shared/storage/clients';

/**
 * Settings pointing at the suite's Azurite, with a storage prefix of their own so that test files
 * running in parallel never see each other's tables and containers.
 */
export function testSettings(overrides: Record<string, string> = {}): Settings {
  const connection = process.env.TEST_STORAGE_CONNECTION;
  if (!connection)
    throw new Error('TEST_STORAGE_CONNECTION is not set: run the tests with jest (globalSetup starts Azurite)');
  return loadSettings({
    AzureWebJobsStorage: connection,
    STORAGE_NAME_PREFIX: `t${randomBytes(5).toString('hex')}`,
    ...overrides,
  });
}

export function testStorage(overrides: Record<string, string> = {}): { settings: Settings; storage: StorageClients } {
  const settings = testSettings(overrides);
  return { settings, storage: createStorageClients(settings) };
}

/** Reads stored versions as last written, committed or not (for tests that inspect the table itself). */
export const asWritten = { has: (): boolean => true };

/**
 * A view of the storage clients whose block-blob stream uploads (`uploadStream`: archives, snapshot
 * manifests) into one container start only after `afterMs`, and with `fail` then fail with a storage
 * error (503) having read nothing of the stream — as the SDK stops reading once an upload fails.
 * Everything else goes to the real clients. `uploads()` counts the uploads begun.
 */
export function delayedUploads(
  storage: StorageClients,
  container: string,
  { afterMs = 0, fail = false } = {},
): StorageClients & { uploads: () => number } {
  let uploads = 0;
  const blobs = Object.create(storage.blobs) as BlobServiceClient;
  blobs.getContainerClient = (name) => {
    const client = storage.blobs.getContainerClient(name);
    if (name !== container) return client;
    const delayed = Object.create(client) as ContainerClient;
    delayed.getBlockBlobClient = (blobName) => {
      const real = client.getBlockBlobClient(blobName);
      const blob = Object.create(real) as BlockBlobClient;
      blob.uploadStream = async (...args) => {
        uploads++;
        await new Promise((resolve) => setTimeout(resolve, afterMs));
        if (fail) throw Object.assign(new Error('service unavailable'), { statusCode: 503 });
        return real.uploadStream(...args);
      };
      return blob;
    };
    return delayed;
  };
  return { ...storage, blobs, uploads: () => uploads };
}
