import type { InvocationContext } from '@azure/functions';
import { getSettings, type Settings } from '../shared/config/settings';
import { createLogger, type Logger } from '../shared/observability/logger';
import { createStorageClients, type StorageClients } from '../shared/storage/clients';

/**
 * What a function invocation needs, built once per process (not on every invocation): the
 * validated settings and the storage clients.
 */
let services: { settings: Settings; storage: StorageClients } | undefined;

export function appServices(): { settings: Settings; storage: StorageClients } {
  if (!services) {
    const settings = getSettings();
    services = { settings, storage: createStorageClients(settings) };
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
