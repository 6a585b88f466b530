import type { InvocationContext } from '@azure/functions';
import { pagingSecret } from '../shared/api/paging';
import { getSettings, type Settings } from '../shared/config/settings';
import { createLogger, type Logger } from '../shared/observability/logger';
import { createStorageClients, type StorageClients } from '../shared/storage/clients';

/**
 * What a function invocation needs, built once per process (not on every invocation): the
 * validated settings, the key that signs paging tokens, and the storage clients: patient ones for
 * timers, queues and uploads, and for the HTTP API ones that give up after STORAGE_TIMEOUT_SECONDS
 * (a caller is waiting).
 */
export interface AppServices {
  settings: Settings;
  pagingSecret: string;
  storage: StorageClients;
  apiStorage: StorageClients;
}

/** The app's services and a logger of this invocation: what every function's implementation is handed. */
export interface InvocationServices extends AppServices {
  logger: Logger;
}

let services: AppServices | undefined;

export function appServices(): AppServices {
  if (!services) {
    const settings = getSettings();
    services = {
      settings,
      pagingSecret: pagingSecret(settings),
      storage: createStorageClients(settings),
      apiStorage: createStorageClients(settings, undefined, { deadlineMs: settings.STORAGE_TIMEOUT_SECONDS * 1000 }),
    };
  }
  return services;
}

/**
 * The services are built on first use, not for every invocation: a function that needs no storage
 * (customer validation) works where storage is not configured, as it did before it had services.
 */
export function invocationServices(context: InvocationContext): InvocationServices {
  return {
    logger: invocationLogger(context),
    get settings() {
      return appServices().settings;
    },
    get pagingSecret() {
      return appServices().pagingSecret;
    },
    get storage() {
      return appServices().storage;
    },
    get apiStorage() {
      return appServices().apiStorage;
    },
  };
}

/** A structured logger writing through the invocation's log methods, correlated by invocation id. */
export function invocationLogger(context: InvocationContext): Logger {
  return createLogger(
    { info: (l) => context.log(l), warn: (l) => context.warn(l), error: (l) => context.error(l) },
    context.invocationId,
  );
}
