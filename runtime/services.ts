import type { InvocationContext } from '@azure/functions';
import { getSettings, type Settings } from '../shared/config/settings';
import { createLogger, type Logger } from '../shared/observability/logger';
import { createStorageClients, type StorageClients } from '../shared/storage/clients';

/**
 * What a function invocation needs, built once per process (not on every invocation): the
 * validated settings and the storage clients: patient ones for timers and uploads, and for the HTTP
 * API ones that give up after STORAGE_TIMEOUT_SECONDS (a caller is waiting).
 */
interface AppServices {
  settings: Settings;
  storage: StorageClients;
  apiStorage: StorageClients;
}

let services: AppServices | undefined;

export function appServices(): AppServices {
  if (!services) {
    const settings = getSettings();
    services = {
      settings,
      storage: createStorageClients(settings),
      apiStorage: createStorageClients(settings, undefined, { deadlineMs: settings.STORAGE_TIMEOUT_SECONDS * 1000 }),
    };
  }
  return services;
}

/** A structured logger writing through the invocation's log methods, correlated by invocation id. */
export function invocationLogger(context: InvocationContext): Logger {
  return createLogger(
    { info: (l) => context.log(l), warn: (l) => context.warn(l), error: (l) => context.error(l) },
    context.invocationId,
  );
}
