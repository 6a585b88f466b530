import type { LocalStorage } from '../runtime/storage';
import type { StorageClients } from '../shared/storage/clients';

/**
 * Clients for the commands that only read (runs, status): like GET /api/health they give up after
 * STORAGE_TIMEOUT_SECONDS, where a run's clients retry writes patiently for minutes — an operator
 * asking whether storage is there wants the answer now.
 */
export async function readOnlyStorage({ settings }: LocalStorage): Promise<StorageClients> {
  const { createStorageClients } = await import('../shared/storage/clients');
  return createStorageClients(settings, undefined, { deadlineMs: settings.STORAGE_TIMEOUT_SECONDS * 1000 });
}
