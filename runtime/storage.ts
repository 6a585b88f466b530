import { projectRoot } from '../shared/config/paths';
import { loadSettings, type Settings } from '../shared/config/settings';
import { createStorageClients, storageConfigured, type StorageClients } from '../shared/storage/clients';
import { ensureEmbeddedAzurite, type RunningAzurite } from './azurite';

export interface LocalStorage {
  settings: Settings;
  storage: StorageClients;
  /** Set when the embedded emulator is in use. */
  azurite?: RunningAzurite;
}

/**
 * Storage for the local commands: the configured account, or else the embedded Azurite
 * (started here unless `npm start` or an earlier CLI run already did).
 */
export async function openLocalStorage(env: NodeJS.ProcessEnv, opts: { detached: boolean }): Promise<LocalStorage> {
  let settings = loadSettings(env);
  if (storageConfigured(settings)) return { settings, storage: createStorageClients(settings) };
  const azurite = await ensureEmbeddedAzurite(projectRoot(), opts);
  settings = { ...settings, AzureWebJobsStorage: azurite.connectionString };
  return { settings, storage: createStorageClients(settings), azurite };
}
