import { randomBytes } from 'node:crypto';
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
